-- Every claim of the `claims` seed has its row in the mart, and no other claim does.
select coalesce(claims.claim_id, mart.claim_id) as claim_id,
       case when mart.claim_id is null then 'missing from mart_claims' else 'not in the seed' end as broken_rule
from {{ ref('claims') }} as claims
full join {{ ref('mart_claims') }} as mart using (claim_id)
where claims.claim_id is null or mart.claim_id is null
