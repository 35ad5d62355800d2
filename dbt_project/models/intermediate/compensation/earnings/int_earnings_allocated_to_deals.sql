-- The commission of each payee, period, plan and component (fct_commission,
-- every earning code) allocated to the period's deals of that component
-- (fct_commission_detail credit rows) pro rata to their credit, by cumulative
-- rounding in opportunity_id order; the rule is the macro
-- commission_allocated_to_deals (macros/deal_allocation.sql): the shares add up
-- to the commission exactly, also with credits of a few cents. A tier true-up
-- or a cap is shared like the rest of the month's commission; a component row
-- without deals (or whose credits total 0) is not allocated. Read by
-- int_commission_allocated_to_deals (the capitalized codes, ASC 340-40,
-- docs/journals.md); int_earning_holds (what a component with release
-- on_invoice_paid holds per deal, docs/payment_workflow.md) applies the same
-- macro to those components only.
with

{{ spm.commission_allocated_to_deals('allocated') }}

select * from allocated
