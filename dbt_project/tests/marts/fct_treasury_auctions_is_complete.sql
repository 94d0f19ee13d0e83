-- At least 100 auctions: Treasury holds hundreds a year, so fewer means the auctions stopped loading.
select count(*) as auctions
from {{ ref('fct_treasury_auctions') }}
having count(*) < 100
