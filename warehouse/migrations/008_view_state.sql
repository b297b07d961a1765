-- 008: which set of views and macros the warehouse holds (a hash of their SQL text), so that
-- opening the warehouse recreates them only when the code's views differ, not on every open
-- (recreating the 30-odd views took 0.05–0.1 s per connection). One row, id = 1.
CREATE TABLE view_state (
    id          INTEGER PRIMARY KEY,
    fingerprint VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL
);
