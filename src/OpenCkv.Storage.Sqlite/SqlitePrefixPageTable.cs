using Microsoft.Data.Sqlite;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Storage.Sqlite;

/// <summary>
/// Prefix-tree pages as rows (<see cref="PrefixPageCodec"/>), read in one query per batch. Decoded pages, read or
/// written, are cached (<see cref="PrefixPageCache"/>, at most <paramref name="cachedPages"/>): a page never changes
/// once written, so a cached page is never stale.
/// </summary>
public sealed class SqlitePrefixPageTable(SqliteLogDatabase database, int cachedPages = 200_000) : IPrefixPageTable
{
    private const int MaxIdsPerQuery = 900;
    private readonly PrefixPageCache _cache = new(cachedPages);

    /// <inheritdoc />
    /// <remarks>Read from the table once, then advanced by this process's commits: the data folder's lock makes it the only writer.</remarks>
    public ulong NextId => _cache.NextId(() =>
    {
        lock (database.Gate)
        {
            using SqliteCommand command = database.Connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(MAX(id), 0) + 1 FROM prefix_pages";
            return (ulong)(long)command.ExecuteScalar()!;
        }
    });

    /// <inheritdoc />
    public IReadOnlyDictionary<ulong, PrefixPage> Read(IReadOnlyCollection<ulong> ids) => _cache.ReadThrough(ids, missing =>
    {
        var read = new List<PrefixPage>(missing.Count);
        lock (database.Gate)
        {
            // One query per chunk of ids, well under SQLite's limit on host parameters.
            foreach (ulong[] chunk in missing.Chunk(MaxIdsPerQuery))
            {
                using SqliteCommand command = database.Connection.CreateCommand();
                command.CommandText = $"SELECT id, page FROM prefix_pages WHERE id IN ({string.Join(',', chunk.Select((_, i) => $"$p{i}"))})";
                for (int i = 0; i < chunk.Length; i++)
                {
                    command.Parameters.AddWithValue($"$p{i}", (long)chunk[i]);
                }

                using SqliteDataReader reader = command.ExecuteReader();
                while (reader.Read())
                {
                    read.Add(PrefixPageCodec.Decode((ulong)reader.GetInt64(0), (byte[])reader.GetValue(1)));
                }
            }
        }

        return read;
    });

    /// <inheritdoc />
    public void Write(IReadOnlyList<PrefixPage> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        lock (database.Gate)
        {
            using SqliteTransaction transaction = database.Connection.BeginTransaction();
            InsertIn(transaction, pages);
            transaction.Commit();
            Committed(pages);
        }
    }

    /// <summary>Inserts <paramref name="pages"/> in a transaction of the log store's (the caller holds the database's gate).</summary>
    internal void InsertIn(SqliteTransaction transaction, IReadOnlyList<PrefixPage> pages)
    {
        using SqliteCommand command = database.Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO prefix_pages (id, page) VALUES ($id, $page)"; // a reused id fails the primary key
        SqliteParameter id = command.Parameters.Add("$id", SqliteType.Integer);
        SqliteParameter page = command.Parameters.Add("$page", SqliteType.Blob);
        foreach (PrefixPage p in pages)
        {
            id.Value = (long)p.Id;
            page.Value = PrefixPageCodec.Encode(p);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Pages whose insert committed: cached (the next insert starts from these), and the next id moves past them; the
    /// pages they replace age out first.
    /// </summary>
    internal void Committed(IReadOnlyList<PrefixPage> pages, IReadOnlyCollection<ulong>? replaced = null) => _cache.Committed(pages, replaced);

    /// <inheritdoc />
    public IReadOnlyList<ulong> IdsFrom(ulong first, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var ids = new List<ulong>();
        lock (database.Gate)
        {
            using SqliteCommand command = database.Connection.CreateCommand();
            command.CommandText = "SELECT id FROM prefix_pages WHERE id >= $first ORDER BY id LIMIT $limit";
            command.Parameters.AddWithValue("$first", (long)first);
            command.Parameters.AddWithValue("$limit", limit);
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                ids.Add((ulong)reader.GetInt64(0));
            }
        }

        return ids;
    }

    /// <inheritdoc />
    public void Delete(IReadOnlyCollection<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _cache.Remove(ids);
        lock (database.Gate)
        {
            using SqliteTransaction transaction = database.Connection.BeginTransaction();
            using SqliteCommand command = database.Connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM prefix_pages WHERE id = $id";
            SqliteParameter id = command.Parameters.Add("$id", SqliteType.Integer);
            foreach (ulong pageId in ids)
            {
                id.Value = (long)pageId;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }
}
