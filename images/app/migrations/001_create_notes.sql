-- The demo's first schema: notes its users keep (the API does not use them yet).
CREATE TABLE IF NOT EXISTS notes (
  id BIGINT PRIMARY KEY,
  body VARCHAR(1000) NOT NULL
)
