-- A tenant's custom comparison names are unique in any letter case (of ASCII letters, as
-- Rampart compares them: the C collation folds those only), held by the database. Names
-- already repeated (two comparisons created at the same moment) keep their text and gain
-- the start of their id.
UPDATE custom_comparisons
SET name = name || ' (' || substr(id, 1, 8) || ')'
WHERE EXISTS (
    SELECT 1 FROM custom_comparisons AS o
    WHERE o.tenant_id = custom_comparisons.tenant_id
      AND lower(o.name COLLATE "C") = lower(custom_comparisons.name COLLATE "C")
      AND o.id < custom_comparisons.id
);

CREATE UNIQUE INDEX custom_comparisons_name ON custom_comparisons (tenant_id, lower(name COLLATE "C"));
