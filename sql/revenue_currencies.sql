-- name: revenue_currencies
-- purpose: The currencies (CurrencyIsoCode) of the opportunities with an amount, to say when amounts of several currencies would be summed as one.
-- binds: none
-- context: none

SELECT DISTINCT upper(currency) AS currency
FROM opportunity_rows
WHERE _error_field IS NULL AND amount IS NOT NULL AND currency IS NOT NULL
ORDER BY currency;
