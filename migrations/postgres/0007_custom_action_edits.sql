-- Deleting a custom action keeps its row: the history and past snapshots still name it,
-- and a deletion can be undone. `deleted_at` set = left the live score and the lists.
ALTER TABLE custom_actions ADD COLUMN deleted_at TIMESTAMPTZ;
ALTER TABLE custom_actions ADD COLUMN deleted_by TEXT;
