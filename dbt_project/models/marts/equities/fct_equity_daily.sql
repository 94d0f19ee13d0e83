-- Grain: one row per (ticker, trade_date). Price, shares and market cap, and the fundamentals as they were
-- known that day (no look-ahead: facts only from the first session whose close follows their filing's acceptance).
--
-- Incremental: a run rebuilds, per ticker, only the days that can have changed since the last build: from the
-- first bar loaded since (the source re-reads a week, and a ticker's whole history after a new split or dividend,
-- so restated bars come with a new load id), or the whole ticker when its SEC facts or splits changed (shares and
-- fundamentals can move anywhere in its history). "Since" is per input: after the newest load of bars, of SEC facts
-- and of splits the last build read (`bars_load_id`, `newest_facts_load_id`, `newest_splits_load_id`). Loads of one
-- pipeline finish in load-id order; across pipelines they do not (a run loads the SEC after the prices, and a killed
-- load is finished by its provider's next run under its old id), so one input's load ids are never compared with
-- another's: measured against the newest bar, every ticker with a fact loaded in the last build looked restated.
-- Deleted and re-inserted on (ticker, trade_date). `--full-refresh` rebuilds everything. On Spark a table, rebuilt
-- every run: delete+insert (and merge) need Delta tables there, and the lake is plain Parquet.
{{ config(materialized='table' if target.type == 'spark' else 'incremental', unique_key=['ticker', 'trade_date'],
          incremental_strategy='delete+insert', on_schema_change='append_new_columns') }}

with all_bars as (
    select * from {{ ref('stg_prices__daily') }}
),

splits as (
    select * from {{ ref('stg_prices__splits') }}
),

newest_loads as (
    -- The newest SEC facts and splits this build reads, stored with every row it writes.
    select
        (select max(load_id) from {{ ref('stg_sec__facts') }}) as facts,
        (select max(load_id) from splits) as splits
),

{#- A table built before `newest_splits_load_id` (the newest column) existed is rebuilt in full (delete+insert of
    every row). #}
{% if is_incremental() and relation_has_column(this, 'newest_splits_load_id') %}
last_build as (
    -- NULL when no row knows its load: then everything is rebuilt. No facts or splits read then: any is new ('').
    select
        max(bars_load_id) as load_id,
        coalesce(max(newest_facts_load_id), '') as facts_load_id,
        coalesce(max(newest_splits_load_id), '') as splits_load_id
    from {{ this }}
),

restated_tickers as (
    select distinct universe.ticker
    from {{ ref('stg_sec__facts') }} as facts
    join {{ ref('stg_prices__universe') }} as universe on universe.cik = facts.cik
    cross join last_build
    where facts.load_id > last_build.facts_load_id or last_build.load_id is null
    union
    select distinct splits.ticker
    from splits
    cross join last_build
    where splits.load_id > last_build.splits_load_id
    union
    -- A seed has no load id to compare: its few companies are rebuilt every run.
    select universe.ticker
    from {{ ref('share_class_conversion') }} as classes
    join {{ ref('stg_prices__universe') }} as universe on universe.cik = classes.cik
),

rebuild_from as (
    -- A ticker is rebuilt whole, or from its first bar loaded since the last build.
    select ticker, false as whole_ticker, min(trade_date) as from_date
    from all_bars
    cross join last_build
    -- A bar without a load id was loaded before the column existed, so before the last build.
    where all_bars.load_id > last_build.load_id or last_build.load_id is null
    group by ticker
    union all
    select ticker, true as whole_ticker, null as from_date from restated_tickers
),

rebuild as (
    select ticker, bool_or(whole_ticker) as whole_ticker, min(from_date) as from_date
    from rebuild_from
    group by ticker
),

bars as (
    -- Ten days before each ticker's first rebuilt day, so its 1-day return has the previous session.
    select all_bars.*, rebuild.whole_ticker, rebuild.from_date
    from all_bars
    join rebuild on rebuild.ticker = all_bars.ticker
    where rebuild.whole_ticker or all_bars.trade_date >= rebuild.from_date - interval 10 day
),
{% else %}
bars as (
    select *, true as whole_ticker, cast(null as date) as from_date from all_bars
),
{% endif %}

share_classes as (
    -- Each company's number of classes (a grouped count: Spark has no DISTINCT in window functions).
    select conversion.*, class_counts.classes
    from {{ ref('share_class_conversion') }} as conversion
    left join (
        select cik, count(distinct count_rank) as classes from {{ ref('share_class_conversion') }} group by cik
    ) as class_counts on class_counts.cik = conversion.cik
),

cover_counts as (
    -- Cover-page share counts. Multi-class issuers report one count per class in the same filing, which
    -- companyfacts lists without the class: numbered from the smallest, to match the seed's classes.
    select
        facts.cik,
        universe.ticker,
        facts.accession_number,
        facts.period_end as shares_as_of,
        filings.known_from,
        facts.value,
        row_number() over (
            partition by facts.cik, facts.accession_number, facts.period_end order by facts.value
        ) as count_rank
    from {{ ref('stg_sec__facts') }} as facts
    join {{ ref('stg_prices__universe') }} as universe on universe.cik = facts.cik
    join {{ ref('int_sec__filing_known_from') }} as filings
        on filings.cik = facts.cik and filings.accession_number = facts.accession_number
    where facts.metric = 'shares_outstanding'
),

shares_reported as (
    -- One count per filing in shares of the priced class: a class worth more counts at its conversion factor
    -- (the one in force on the cover date); classes of equal worth are added up.
    select
        cover_counts.cik,
        cover_counts.ticker,
        cover_counts.shares_as_of,
        max(cover_counts.known_from) as known_from,
        sum(cover_counts.value * coalesce(share_classes.priced_shares_per_share, 1)) as shares_reported
    from {{ asof_left_join('cover_counts', 'cover_counts', 'share_classes', 'share_classes',
                           [('cover_counts.cik', 'share_classes.cik'),
                            ('cover_counts.count_rank', 'share_classes.count_rank')],
                           'cover_counts.shares_as_of', '>=', 'share_classes.valid_from') }}
    group by cover_counts.cik, cover_counts.ticker, cover_counts.shares_as_of, cover_counts.accession_number
    -- For a company in the seed, a filing whose counts are not its classes cannot be read: the previous one stands.
    having not exists (select 1 from share_classes where share_classes.cik = cover_counts.cik)
        or (count(*) = max(share_classes.classes) and count(share_classes.cik) = count(*))
),

splits_since as (
    -- Per split, the product of its ratio and every later one: what a count from before it is multiplied by.
    select
        ticker,
        split_date,
        {{ product_over('split_ratio',
                        'partition by ticker order by split_date desc rows between unbounded preceding and current row') }}
            as ratio_to_today
    from splits
),

shares_today_basis as (
    -- Restate each count on today's share basis (the basis of the split-adjusted close): times the ratios of every
    -- split after its date, which the first such split carries (1 when none follows).
    select
        shares_reported.*,
        shares_reported.shares_reported * coalesce(splits_since.ratio_to_today, 1) as shares_outstanding
    from {{ asof_left_join('shares_reported', 'shares_reported', 'splits_since', 'splits_since',
                           [('shares_reported.ticker', 'splits_since.ticker')],
                           'shares_reported.shares_as_of', '<', 'splits_since.split_date') }}
),

fundamentals as (
    select ticker, fiscal_quarter_end, ttm_net_income_usd_bn, ttm_revenue_usd_bn, ttm_known_from
    from {{ ref('fct_fundamentals_ttm') }}
    where ttm_net_income_usd_bn is not null or ttm_revenue_usd_bn is not null
    -- Two quarters' TTMs known from the same session (a late filer's 10-Q with the 10-K before it): the latest
    -- quarter counts. The ASOF join below needs one row per time; DuckDB's picked that one, Spark's would keep both.
    qualify row_number() over (partition by ticker, ttm_known_from order by fiscal_quarter_end desc) = 1
),

priced as (
    select
        bars.ticker,
        bars.trade_date,
        bars.close_usd,
        bars.adj_close_usd,
        bars.volume,
        shares.shares_outstanding,
        shares.shares_as_of,
        shares.known_from as shares_known_from,
        {{ usd_to_bn('bars.close_usd * shares.shares_outstanding') }} as market_cap_usd_bn,
        bars.adj_close_usd / lag(bars.adj_close_usd) over (partition by bars.ticker order by bars.trade_date) - 1
            as return_1d,
        bars.load_id as bars_load_id,
        bars.whole_ticker,
        bars.from_date
    from {{ asof_left_join('bars', 'bars', 'shares_today_basis', 'shares', [('bars.ticker', 'shares.ticker')],
                           'bars.trade_date', '>=', 'shares.known_from') }}
)

select
    {#- priced's columns but whole_ticker and from_date (DuckDB's `* exclude` is not Spark's `* except`). #}
    priced.ticker,
    priced.trade_date,
    priced.close_usd,
    priced.adj_close_usd,
    priced.volume,
    priced.shares_outstanding,
    priced.shares_as_of,
    priced.shares_known_from,
    priced.market_cap_usd_bn,
    priced.return_1d,
    priced.bars_load_id,
    (select facts from newest_loads) as newest_facts_load_id,
    (select splits from newest_loads) as newest_splits_load_id,
    fundamentals.ttm_net_income_usd_bn,
    fundamentals.ttm_revenue_usd_bn,
    fundamentals.fiscal_quarter_end as fundamentals_as_of,
    fundamentals.ttm_known_from as fundamentals_known_from
from {{ asof_left_join('priced', 'priced', 'fundamentals', 'fundamentals', [('priced.ticker', 'fundamentals.ticker')],
                       'priced.trade_date', '>=', 'fundamentals.ttm_known_from') }}
-- The ten days before a ticker's first rebuilt day only gave its first return: they are not rewritten.
where priced.whole_ticker or priced.trade_date >= priced.from_date
