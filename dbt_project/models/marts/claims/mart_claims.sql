-- Grain: one row per claim. Each claim of the `claims` seed tested against the other marts: the metric, the dates
-- compared, the observed value, and a verdict by the seed's bounds (supported / partly / contradicted), or
-- `untested` when the data needed is missing. Every threshold lives in the seed (and the day reserve management
-- purchases began in the var `reserve_management_purchases_start`); this model only measures.
-- The rule text says why this verdict was given, with the numbers compared. The market, balance-sheet, debt and
-- repo claims are measured in mart_claim_evidence (with their evidence in words) and judged here the same way.
with claims as (
    select * from {{ ref('claims') }}
),

reserves as (
    select * from {{ ref('mart_reserve_adequacy') }}
),

revision_notes as (
    -- Claims resting on a FRED series that is revised say so (point in time: mart_revisions).
    select inputs.claim_id, string_agg(printf(
        '%s is revised: %d of %d observations, mean |revision| %.2f%%, %.0f%% upward (mart_revision_summary)',
        summary.series_id, summary.revised_observations, summary.observations, summary.mean_abs_revision_pct,
        100 * summary.share_revised_up), '; ') as revision_note
    from (values ('reserves_2007', 'TOTRESNS'), ('reserves_2023', 'WRESBAL'), ('reserves_needed_now', 'WRESBAL'))
        as inputs (claim_id, series_id)
    join {{ ref('mart_revision_summary') }} as summary on summary.series_id = inputs.series_id
    where summary.revised_observations > 0
    group by inputs.claim_id
),

latest_day as (
    select max(date_day) as date_day from reserves where reserves_usd_bn is not null
),

-- "Now" is the last complete calendar months before the latest day (the seed's `window_months`): long enough for
-- month- and quarter-end pressure to show.
trailing_window as (
    select
        claims.window_months,
        cast(date_trunc('month', latest_day.date_day) - {{ months_interval('claims.window_months') }} as date) as first_day,
        cast(date_trunc('month', latest_day.date_day) - interval 1 day as date) as last_day
    from latest_day, claims
    where claims.claim_id = 'reserves_needed_now'
),

strain_now as (
    select
        any_value(trailing_window.first_day) as first_day,
        any_value(trailing_window.last_day) as last_day,
        avg(reserves.reserves_usd_bn) as mean_reserves_usd_bn,
        -- Complete: every month of the window has fixings (a window that has not started filling is no "now").
        count(distinct date_trunc('month', reserves.date_day)) filter (where reserves.sofr_iorb_spread_bp is not null)
            = any_value(trailing_window.window_months) as is_complete,
        100.0 * count(*) filter (where reserves.sofr_iorb_spread_bp > 0)
            / nullif(count(reserves.sofr_iorb_spread_bp), 0) as strained_days_pct
    from trailing_window
    left join reserves on reserves.date_day between trailing_window.first_day and trailing_window.last_day
),

observations as (
    -- A fact about 2007, judged on the value as revised since (the best estimate now), not the first print.
    select 'reserves_2007' as claim_id,
           'total reserves (TOTRESNS, H.3), the December 2007 observation as revised since' as metric,
           cast(claims.period_start as string) || '..' || cast(claims.period_end as string) as compared_dates,
           max(reserves.total_reserves_latest_usd_bn) filter (
               where reserves.total_reserves_as_of between claims.period_start and claims.period_end
           ) as observed_value,
           'no TOTRESNS observation for December 2007' as untested_reason
    from claims, reserves
    where claims.claim_id = 'reserves_2007'
    group by claims.period_start, claims.period_end

    union all
    select 'reserves_2023', 'lowest reserve balances (WRESBAL) in 2023 (the $2.2tn is an estimate of the lowest '
                            || 'comfortable level, not an observed low)',
           cast(claims.period_start as string) || '..' || cast(claims.period_end as string),
           min(reserves.reserves_usd_bn) filter (where reserves.date_day between claims.period_start and claims.period_end),
           'no reserve balances in 2023'
    from claims, reserves
    where claims.claim_id = 'reserves_2023'
    group by claims.period_start, claims.period_end

    union all
    select 'reserves_needed_now',
           printf('share of days with SOFR above IORB while reserves averaged $%.0fbn', strain_now.mean_reserves_usd_bn),
           cast(strain_now.first_day as string) || '..' || cast(strain_now.last_day as string),
           case when strain_now.is_complete and strain_now.mean_reserves_usd_bn is not null
               then strain_now.strained_days_pct end,
           'a month of the trailing window has no SOFR and IORB fixing, or no reserves'
    from strain_now

    union all
    select 'fed_absorbs_bills', 'Σ change in SOMA bills / Σ net bill issuance over the H.4.1 weeks since the date',
           cast(min(bills.window_end) as string) || '..' || cast(max(bills.window_end) as string),
           case when sum(bills.net_bill_issuance_usd_bn) > 0
               then sum(bills.soma_bill_change_usd_bn) / sum(bills.net_bill_issuance_usd_bn) end,
           case when count(bills.window_end) = 0 then 'no H.4.1 week with both SOMA and net issuance since the date'
                else 'net bill issuance was not positive over those weeks' end
    from claims
    left join {{ ref('mart_bill_absorption') }} as bills
        -- Every week that ends after the day purchases began counts, the one in which they began included. The
        -- day is a dbt var, not a seed cell: the report marks the same day on its chart.
        on bills.window_type = 'week' and bills.window_end > date '{{ var("reserve_management_purchases_start") }}'
        and bills.soma_bill_change_usd_bn is not null and bills.net_bill_issuance_usd_bn is not null
    where claims.claim_id = 'fed_absorbs_bills'
    group by claims.claim_id

    union all
    select 'repo_crossing_line', 'days with SOFR above IORB',
           cast(claims.period_start as string) || '..' || cast(claims.period_end as string),
           case when count(reserves.sofr_iorb_spread_bp) > 0
               then count(*) filter (where reserves.sofr_iorb_spread_bp > 0) end,
           'no day with both SOFR and IORB in the period'
    from claims
    left join reserves on reserves.date_day between claims.period_start and claims.period_end
    where claims.claim_id = 'repo_crossing_line'
    group by claims.period_start, claims.period_end

    union all
    select 'ai_bubble', 'AI basket cap-weighted P/E percentile in its own history (latest day)',
           cast(max(trade_date) as string),
           {{ latest_non_null('pe_percentile_in_history_pct', 'trade_date') }},
           'no P/E percentile for the AI basket on the latest day'
    from {{ ref('mart_sector_valuation') }}
    where sector = 'AI basket'

    union all
    select claim_id, metric, compared_dates, observed_value, untested_reason
    from {{ ref('mart_claim_evidence') }}
),

judged as (
    select
        claims.*,
        observations.metric,
        observations.compared_dates,
        observations.observed_value,
        observations.untested_reason,
        case
            when observations.observed_value is null then 'untested'
            when claims.claim_id = 'reserves_needed_now' then
                -- The claim is about the level reserves need: strain at or above that level supports it, calm
                -- below it contradicts it; strain below it, or calm above it, says little either way.
                case
                    when observations.observed_value >= claims.supported_min
                        and strain_now.mean_reserves_usd_bn >= claims.reference_value then 'supported'
                    when observations.observed_value < claims.partly_min
                        and strain_now.mean_reserves_usd_bn < claims.reference_value then 'contradicted'
                    else 'partly'
                end
            when observations.observed_value >= coalesce(claims.supported_min, observations.observed_value)
                and observations.observed_value <= coalesce(claims.supported_max, observations.observed_value)
                then 'supported'
            when (claims.partly_min is not null or claims.partly_max is not null)
                and observations.observed_value >= coalesce(claims.partly_min, observations.observed_value)
                and observations.observed_value <= coalesce(claims.partly_max, observations.observed_value)
                then 'partly'
            else 'contradicted'
        end as verdict,
        strain_now.mean_reserves_usd_bn
    from claims
    left join observations using (claim_id)
    cross join strain_now
)

select
    claim_id,
    claim_text,
    claim_source,
    metric,
    compared_dates,
    round(observed_value, 4) as observed_value,
    reference_value,
    unit,
    observed_unit,
    verdict,
    case
        when verdict = 'untested' then 'untested: ' || coalesce(untested_reason, 'the data needed is missing')
        when claim_id = 'reserves_needed_now' then printf(
            '%s: SOFR was above IORB on %.1f%% of days (strain from %s%%, calm below %s%%) while reserves averaged '
            || '$%.0fbn, %s the claimed $%sbn',
            verdict, observed_value, {{ number_text('supported_min') }}, {{ number_text('partly_min') }},
            mean_reserves_usd_bn, case when mean_reserves_usd_bn >= reference_value then 'at or above' else 'below' end,
            {{ number_text('reference_value') }})
        when verdict = 'supported' then printf('supported: observed %s lies in the supported range %s',
            {{ number_text('observed_value') }}, {{ claim_bounds('supported_min', 'supported_max') }})
        when verdict = 'partly' then printf('partly: observed %s lies outside the supported range %s but in %s',
            {{ number_text('observed_value') }}, {{ claim_bounds('supported_min', 'supported_max') }},
            {{ claim_bounds('partly_min', 'partly_max') }})
        else printf('contradicted: observed %s lies outside %s',
            {{ number_text('observed_value') }}, case when partly_min is not null or partly_max is not null
                then {{ claim_bounds('partly_min', 'partly_max') }}
                else {{ claim_bounds('supported_min', 'supported_max') }} end)
    end as verdict_rule,
    evidence.evidence,
    revision_notes.revision_note
from judged
left join (select claim_id, evidence from {{ ref('mart_claim_evidence') }}) as evidence using (claim_id)
left join revision_notes using (claim_id)
