-- One row per (cik, metric, period_end) for net income and revenue: the discrete fiscal quarter as first
-- reported (point in time: the earliest filing wins), with Q4 derived as FY − (Q1 + Q2 + Q3) where companies
-- report only the annual figure. `known_from` is the first session whose close follows the filing's acceptance.
with facts as (
    select * from {{ ref('stg_sec__facts') }}
    where metric in ('net_income', 'revenue') and period_start is not null
),

filings as (
    select * from {{ ref('int_sec__filing_known_from') }}
),

first_reported as (
    -- The same period is re-reported as a comparative (and sometimes restated): keep the first filing. A filing
    -- may tag revenue twice with different values (the total and the part from contracts with customers): the
    -- broadest top line wins, so every filing of a company's fiscal year picks the same tag when it has it —
    -- net of interest expense first (how financials report revenue, and only they use it), then `Revenues`
    -- (the total), then the ASC 606 tag (contract revenue, a part of the total when both appear). Decided per
    -- filing, never with hindsight from later filings of the year.
    select facts.cik, metric, tag, period_start, period_end, period_days, value, filings.known_from
    from facts
    join filings using (cik, accession_number)
    qualify row_number() over (
        partition by cik, metric, period_start, period_end
        order by facts.filed_date, accession_number, case tag
            when 'RevenuesNetOfInterestExpense' then 1
            when 'Revenues' then 2
            when 'RevenueFromContractWithCustomerExcludingAssessedTax' then 3
        end
    ) = 1
),

quarters as (
    select cik, metric, tag, period_start, period_end, value, known_from, false as is_derived_q4
    from first_reported
    where period_days between {{ var('fiscal_quarter_min_days') }} and {{ var('fiscal_quarter_max_days') }}
),

annuals as (
    select cik, metric, tag, period_start, period_end, value, known_from
    from first_reported
    where period_days between {{ var('fiscal_year_min_days') }} and {{ var('fiscal_year_max_days') }}
),

derived_q4 as (
    -- Only from one tag: a year's total minus quarters of another definition (a 10-Q tagged contract revenue
    -- and a 10-K the total) would make a Q4 of neither. Then there is no Q4 and no TTM across it.
    select
        annuals.cik,
        annuals.metric,
        annuals.tag,
        max(quarters.period_end) + 1 as period_start,
        annuals.period_end,
        annuals.value - sum(quarters.value) as value,
        annuals.known_from,
        true as is_derived_q4
    from annuals
    join quarters
        on quarters.cik = annuals.cik
        and quarters.metric = annuals.metric
        and quarters.tag = annuals.tag
        and quarters.period_start >= annuals.period_start
        and quarters.period_end < annuals.period_end
    group by annuals.cik, annuals.metric, annuals.tag, annuals.period_end, annuals.value, annuals.known_from
    having count(*) = 3
)

select * from quarters
union all
select * from derived_q4
where not exists (
    select 1 from quarters
    where quarters.cik = derived_q4.cik and quarters.metric = derived_q4.metric
        and quarters.period_end = derived_q4.period_end
)
