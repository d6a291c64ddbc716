using System.Numerics;
using Microsoft.Data.Sqlite;
using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.Storage.Sqlite;

/// <summary>
/// The log tree's balanced subtree heads as rows keyed by (level, index), level 0 being the leaves (KT §3.2: proofs
/// only carry balanced heads). Appends happen inside the store's commit transaction. Heads read are cached: a
/// complete balanced subtree never changes.
/// </summary>
public sealed class SqliteLogTree(SqliteLogDatabase database, TreeHasher hasher) : ILogTreeTable
{
    private const int CachedHeads = 1 << 20;
    private readonly Dictionary<(int Level, ulong Index), Hash32> _cache = [];

    /// <inheritdoc />
    public ulong Size
    {
        get
        {
            lock (database.Gate)
            {
                using SqliteCommand command = database.Connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM log_heads WHERE level = 0";
                return (ulong)(long)command.ExecuteScalar()!;
            }
        }
    }

    /// <inheritdoc />
    public void Append(Hash32 leaf)
    {
        lock (database.Gate)
        {
            using SqliteTransaction transaction = database.Connection.BeginTransaction();
            AppendIn(transaction, Size, leaf);
            transaction.Commit();
        }
    }

    /// <summary>Appends leaf number <paramref name="size"/> and every balanced head it completes, in a caller's transaction.</summary>
    internal void AppendIn(SqliteTransaction transaction, ulong size, Hash32 leaf)
    {
        using SqliteCommand insert = database.Connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO log_heads (level, idx, value) VALUES ($level, $idx, $value)";
        SqliteParameter level = insert.Parameters.Add("$level", SqliteType.Integer);
        SqliteParameter index = insert.Parameters.Add("$idx", SqliteType.Integer);
        SqliteParameter value = insert.Parameters.Add("$value", SqliteType.Blob);

        Hash32 current = leaf;
        ulong position = size;
        var buffer = new byte[Hash32.Size];
        for (int k = 0; ; k++)
        {
            level.Value = k;
            index.Value = (long)position;
            value.Value = current.ToArray();
            insert.ExecuteNonQuery();
            if ((position & 1) == 0)
            {
                break; // a left child: its parent is not complete yet
            }

            Hash32 left = Read(transaction, k, position - 1);
            hasher.LogParent(k == 0, left.Span, k == 0, current.Span, buffer);
            current = Hash32.From(buffer);
            position >>= 1;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Hash32> ReadBalanced(IReadOnlyList<LogRange> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        lock (database.Gate)
        {
            return ranges.Select(r =>
            {
                if (!r.IsBalanced || r.Start % r.Size != 0)
                {
                    throw new ArgumentException($"{r} is not a balanced subtree.", nameof(ranges));
                }

                int k = BitOperations.Log2(r.Size);
                return Read(null, k, r.Start >> k);
            }).ToArray();
        }
    }

    private Hash32 Read(SqliteTransaction? transaction, int level, ulong index)
    {
        if (_cache.TryGetValue((level, index), out Hash32 cached))
        {
            return cached;
        }

        using SqliteCommand command = database.Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM log_heads WHERE level = $level AND idx = $idx";
        command.Parameters.AddWithValue("$level", level);
        command.Parameters.AddWithValue("$idx", (long)index);
        if (command.ExecuteScalar() is not byte[] bytes)
        {
            throw new ArgumentException($"The log subtree at level {level}, index {index} is not complete.");
        }

        // Only heads read outside a transaction are cached: inside one, the row may yet be rolled back.
        Hash32 value = Hash32.From(bytes);
        if (transaction is null)
        {
            if (_cache.Count >= CachedHeads)
            {
                _cache.Clear();
            }

            _cache[(level, index)] = value;
        }

        return value;
    }
}
