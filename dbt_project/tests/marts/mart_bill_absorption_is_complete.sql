-- At least 10 windows: the bill records span years, so fewer means the DTS and the auctions stopped loading.
select count(*) as windows
from {{ ref('mart_bill_absorption') }}
having count(*) < 10
