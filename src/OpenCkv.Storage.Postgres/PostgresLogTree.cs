using System.Numerics;
using Npgsql;
using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// The log tree's balanced subtree heads as rows keyed by (level, index), level 0 being the leaves (KT §3.2: proofs
/// only carry balanced heads). Appends happen inside the store's commit transaction; a proof's heads are read in
/// one query. Heads read are cached: a complete balanced subtree never changes.
/// </summary>
public sealed class PostgresLogTree(PostgresLogDatabase database, TreeHasher hasher) : ILogTreeTable
{
    private const int CachedHeads = 1 << 20;
    private readonly Dictionary<(long Level, ulong Index), Hash32> _cache = [];
    private readonly Lock _cacheGate = new();

    /// <inheritdoc />
    public ulong Size
    {
        get
        {
            using NpgsqlConnection connection = database.Open();
            return SizeIn(connection, null);
        }
    }

    /// <inheritdoc />
    public void Append(Hash32 leaf)
    {
        lock (database.Writer)
        {
            using NpgsqlConnection connection = database.Open();
            using NpgsqlTransaction transaction = connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
            LogTreeAppend append = AppendIn(connection, transaction, SizeIn(connection, transaction), leaf);
            PostgresCommands.ExecuteInChunks(connection, transaction, append.Commands);
            transaction.Commit();
            Committed(append);
        }
    }

    /// <summary>
    /// The inserts of leaf number <paramref name="size"/> and of every balanced head it completes, for the caller to
    /// run in <paramref name="transaction"/> and, once it committed, hand to <see cref="Committed"/>. The left
    /// siblings come from the cache (the previous appends put them there) or are read in the transaction now.
    /// </summary>
    internal LogTreeAppend AppendIn(NpgsqlConnection connection, NpgsqlTransaction transaction, ulong size, Hash32 leaf)
    {
        var commands = new List<NpgsqlBatchCommand>();
        var heads = new List<KeyValuePair<(long Level, ulong Index), Hash32>>();
        string sql = $"INSERT INTO {database.Table("log_heads")} (level, idx, value) VALUES ($1, $2, $3)";
        Hash32 current = leaf;
        ulong position = size;
        var buffer = new byte[Hash32.Size];
        for (int k = 0; ; k++)
        {
            commands.Add(PostgresCommands.BatchCommand(sql, (long)k, (long)position, current.ToArray()));
            heads.Add(KeyValuePair.Create(((long)k, position), current));
            if ((position & 1) == 0)
            {
                return new LogTreeAppend(commands, heads); // a left child: its parent is not complete yet
            }

            Hash32 left = ReadOne(connection, transaction, k, position - 1);
            hasher.LogParent(k == 0, left.Span, k == 0, current.Span, buffer);
            current = Hash32.From(buffer);
            position >>= 1;
        }
    }

    /// <summary>The number of leaves, read with <paramref name="transaction"/> when one is given.</summary>
    internal ulong SizeIn(NpgsqlConnection connection, NpgsqlTransaction? transaction) =>
        (ulong)PostgresCommands.ScalarLong(connection, transaction, $"SELECT COALESCE(MAX(idx) + 1, 0) FROM {database.Table("log_heads")} WHERE level = 0");

    /// <inheritdoc />
    public IReadOnlyList<Hash32> ReadBalanced(IReadOnlyList<LogRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var keys = new (long Level, ulong Index)[ranges.Count];
        for (int i = 0; i < ranges.Count; i++)
        {
            LogRange r = ranges[i];
            if (!r.IsBalanced || r.Start % r.Size != 0)
            {
                throw new ArgumentException($"{r} is not a balanced subtree.", nameof(ranges));
            }

            int k = BitOperations.Log2(r.Size);
            keys[i] = (k, r.Start >> k);
        }

        var found = new Dictionary<(long Level, ulong Index), Hash32>();
        var missing = new List<(long Level, ulong Index)>();
        lock (_cacheGate)
        {
            foreach ((long Level, ulong Index) key in keys.Distinct())
            {
                if (_cache.TryGetValue(key, out Hash32 cached))
                {
                    found[key] = cached;
                }
                else
                {
                    missing.Add(key);
                }
            }
        }

        if (missing.Count > 0)
        {
            using NpgsqlConnection connection = database.Open();
            foreach ((long Level, ulong Index)[] chunk in missing.Chunk(PostgresCommands.MaxListLength / 2))
            {
                // Plain ORs of primary-key equalities: every database here plans them as index lookups.
                string where = string.Join(" OR ", chunk.Select((_, i) => $"(level = ${(2 * i) + 1} AND idx = ${(2 * i) + 2})"));
                object[] values = [.. chunk.SelectMany(key => new object[] { key.Level, (long)key.Index })];
                foreach (((long Level, ulong Index) key, Hash32 value) in PostgresCommands.QueryAll(
                    connection, null, $"SELECT level, idx, value FROM {database.Table("log_heads")} WHERE {where}",
                    r => ((r.GetInt64(0), (ulong)r.GetInt64(1)), Hash32.From(r.GetFieldValue<byte[]>(2))), values))
                {
                    found[key] = value;
                }
            }

            Remember(missing.Where(found.ContainsKey).Select(key => KeyValuePair.Create(key, found[key])));
        }

        return keys.Select(key => found.TryGetValue(key, out Hash32 value)
            ? value
            : throw new ArgumentException($"The log subtree at level {key.Level}, index {key.Index} is not complete.", nameof(ranges))).ToArray();
    }

    private Hash32 ReadOne(NpgsqlConnection connection, NpgsqlTransaction? transaction, long level, ulong index)
    {
        lock (_cacheGate)
        {
            if (_cache.TryGetValue((level, index), out Hash32 cached))
            {
                return cached;
            }
        }

        // Not cached: an append reads each left sibling once, and reads for proofs fill the cache.
        List<byte[]> rows = PostgresCommands.QueryAll(
            connection, transaction, $"SELECT value FROM {database.Table("log_heads")} WHERE level = $1 AND idx = $2",
            r => r.GetFieldValue<byte[]>(0), level, (long)index);
        return rows.Count == 1
            ? Hash32.From(rows[0])
            : throw new ArgumentException($"The log subtree at level {level}, index {index} is not complete.");
    }

    /// <summary>Caches the heads of an append whose transaction committed: the next appends and searches read them.</summary>
    internal void Committed(LogTreeAppend append) => Remember(append.Heads);

    private void Remember(IEnumerable<KeyValuePair<(long Level, ulong Index), Hash32>> heads)
    {
        lock (_cacheGate)
        {
            foreach (KeyValuePair<(long Level, ulong Index), Hash32> head in heads)
            {
                if (_cache.Count >= CachedHeads)
                {
                    _cache.Clear();
                }

                _cache[head.Key] = head.Value;
            }
        }
    }
}

/// <summary>An append's inserts, and the heads they store (by level and index), to cache once committed.</summary>
internal sealed record LogTreeAppend(List<NpgsqlBatchCommand> Commands, List<KeyValuePair<(long Level, ulong Index), Hash32>> Heads);
