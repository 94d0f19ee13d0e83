-- Grain: one row per claim. Each claim of the `claims` seed tested against the other marts: the metric, the
-- dates compared, the observed value and a verdict (supported / partly / contradicted) by the rule shown.
with claims as (
    select * from {{ ref('claims') }}
),

reserves as (
    select * from {{ ref('mart_reserve_adequacy') }}
),

latest_reserves as (
    select * from reserves where reserves_usd_bn is not null order by date_day desc limit 1
),

observations as (
    select 'reserves_2007' as claim_id, 'total reserves (TOTRESNS), December 2007' as metric,
           '2007-12-31' as compared_dates, total_reserves_usd_bn as observed_value,
           case when abs(total_reserves_usd_bn / 45 - 1) <= 0.25 then 'supported' else 'contradicted' end as verdict,
           'within 25% of $45bn' as verdict_rule
    from reserves where date_day = '2007-12-31'

    union all
    select 'reserves_2023', 'lowest reserve balances (WRESBAL) observed in 2023', '2023-01-01..2023-12-31',
           min(reserves_usd_bn),
           case when abs(min(reserves_usd_bn) / 2200 - 1) <= 0.15 then 'supported'
                else 'contradicted' end,
           'observed 2023 low within 15% of $2.2tn (the $2.2tn is an estimate of the lowest comfortable level, not an observed low)'
    from reserves where year(date_day) = 2023

    union all
    select 'reserves_needed_now', 'latest reserves, regime and SOFR-above-IORB days that month',
           cast(date_day as varchar), reserves_usd_bn,
           case when reserves_usd_bn < 3000 and (regime = 'scarce' or sofr_above_iorb_days_in_month >= 5) then 'supported'
                when regime = 'abundant' or sofr_above_iorb_days_in_month = 0 then 'contradicted'
                else 'partly' end,
           'supported if reserves < $3tn and strain shows (scarce regime or SOFR > IORB on ≥ 5 days this month)'
    from latest_reserves

    union all
    select 'fed_absorbs_bills', 'Σ change in SOMA bills / Σ net bill issuance, H.4.1 weeks since 2025-12-12',
           min(window_end)::varchar || '..' || max(window_end)::varchar,
           sum(soma_bill_change_usd_bn) / nullif(sum(net_bill_issuance_usd_bn), 0),
           case when sum(net_bill_issuance_usd_bn) <= 0 then 'partly'
                when sum(soma_bill_change_usd_bn) / sum(net_bill_issuance_usd_bn) >= 0.5 then 'supported'
                when sum(soma_bill_change_usd_bn) / sum(net_bill_issuance_usd_bn) >= 0.1 then 'partly'
                else 'contradicted' end,
           'ratio ≥ 0.5 supported, 0.1–0.5 partly, < 0.1 contradicted'
    from {{ ref('mart_bill_absorption') }}
    where window_type = 'week' and window_start >= '2025-12-12' and soma_bill_change_usd_bn is not null

    union all
    select 'repo_crossing_line', 'days in 2025 with SOFR above IORB', '2025-01-01..2025-12-31',
           count(*) filter (where sofr_above_iorb),
           case when count(*) filter (where sofr_above_iorb) >= 20 then 'supported'
                when count(*) filter (where sofr_above_iorb) > 0 then 'partly' else 'contradicted' end,
           '≥ 20 days supported, 1–19 partly, none contradicted'
    from reserves where year(date_day) = 2025

    union all
    select 'ai_bubble', 'AI basket cap-weighted P/E percentile in its own history (latest day)',
           cast(trade_date as varchar), pe_percentile_in_history_pct,
           case when pe_percentile_in_history_pct >= 90 then 'supported'
                when pe_percentile_in_history_pct >= 70 then 'partly' else 'contradicted' end,
           'P/E percentile ≥ 90 supported, 70–90 partly, below contradicted'
    from (select * from {{ ref('mart_sector_valuation') }} where sector = 'AI basket'
          order by trade_date desc limit 1)
)

select
    claims.claim_id,
    claims.claim_text,
    claims.claim_source,
    observations.metric,
    observations.compared_dates,
    round(observations.observed_value, 4) as observed_value,
    claims.reference_value,
    claims.unit,
    coalesce(observations.verdict, 'untested') as verdict,
    observations.verdict_rule
from claims
left join observations using (claim_id)
