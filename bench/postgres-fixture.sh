# Sourced by the PostgreSQL benchmark scripts, with $labels, $data (an empty folder) and $bench set: starts a durable
# throwaway cluster holding a fixture of $labels labels and puts its log folder at $data/folder; sets $conn (the
# fixture's database) and $fixture (the cache folder, with storage.md from the bulk load). The fixture is
# bulk-loaded once, not through the publish path, into a cluster that is then kept, stopped, beside its log folder
# under ~/.cache/openckv/fixtures/; each run starts a throwaway cluster on a copy of it.
fixture="$HOME/.cache/openckv/fixtures/http-postgres-$labels"
db="fixture_$labels"
to_uri() { sed -E 's/Host=([^;]*);Port=([^;]*);Username=([^;]*);Database=(.*)/postgresql:\/\/\3@\1:\2\/\4/' <<<"$1"; }
if [ ! -f "$fixture/complete" ]; then
  rm -rf "$fixture"
  admin=$(OPENCKV_PG_FSYNC=on bash scripts/postgres.sh start)
  psql "$(to_uri "$admin")" -qc "CREATE DATABASE $db"
  conn=${admin/Database=openckv_test/Database=$db}
  mkdir -p "$fixture"
  "$bench" http-fixture-postgres "$labels" "$fixture/folder" "$conn" | tee "$fixture/storage.md"
  # Statistics for the planner, and the bulk load's dirty pages written out, before anything is measured.
  psql "$(to_uri "$conn")" -qc "ANALYZE" -c "CHECKPOINT"
  bash scripts/postgres.sh save "$fixture/cluster"
  touch "$fixture/complete"
fi
cp -a "$fixture/folder" "$data/folder"
admin=$(OPENCKV_PG_FSYNC=on OPENCKV_PG_FROM="$fixture/cluster" bash scripts/postgres.sh start)
conn=${admin/Database=openckv_test/Database=$db}

