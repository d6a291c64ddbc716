using Npgsql;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// Prefix-tree pages as rows (<see cref="PrefixPageCodec"/>), read in one query per batch. Decoded pages are
/// cached: a page never changes once written (a change writes a new page under a new id), so a cached page is
/// never stale, whichever process wrote it. The cache holds at most <paramref name="cachedPages"/> pages and is
/// emptied when full.
/// </summary>
public sealed class PostgresPrefixPageTable(PostgresLogDatabase database, int cachedPages = 200_000) : IPrefixPageTable
{
    private readonly Dictionary<ulong, PrefixPage> _cache = [];
    private readonly Lock _cacheGate = new();

    /// <inheritdoc />
    public ulong NextId
    {
        get
        {
            using NpgsqlConnection connection = database.Open();
            return (ulong)PostgresCommands.ScalarLong(connection, null, $"SELECT COALESCE(MAX(id), 0) + 1 FROM {database.Table("prefix_pages")}");
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<ulong, PrefixPage> Read(IReadOnlyCollection<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var pages = new Dictionary<ulong, PrefixPage>(ids.Count);
        var missing = new List<ulong>();
        lock (_cacheGate)
        {
            foreach (ulong id in ids)
            {
                if (_cache.TryGetValue(id, out PrefixPage? cached))
                {
                    pages[id] = cached;
                }
                else
                {
                    missing.Add(id);
                }
            }
        }

        if (missing.Count > 0)
        {
            // One query per chunk of ids: one round trip for any batch a search or an insert asks for.
            using NpgsqlConnection connection = database.Open();
            foreach (ulong[] chunk in missing.Chunk(PostgresCommands.MaxListLength))
            {
                string sql = $"SELECT id, page FROM {database.Table("prefix_pages")} WHERE id IN ({PostgresCommands.Placeholders(chunk.Length)})";
                foreach (PrefixPage page in PostgresCommands.QueryAll(
                    connection, null, sql, r => PrefixPageCodec.Decode((ulong)r.GetInt64(0), r.GetFieldValue<byte[]>(1)), [.. chunk.Select(id => (object)(long)id)]))
                {
                    pages[page.Id] = page;
                }
            }

            lock (_cacheGate)
            {
                if (_cache.Count + missing.Count > cachedPages)
                {
                    _cache.Clear();
                }

                foreach (ulong id in missing)
                {
                    if (pages.TryGetValue(id, out PrefixPage? page))
                    {
                        _cache[id] = page;
                    }
                }
            }
        }

        return pages.Count == ids.Count
            ? pages
            : throw new InvalidOperationException($"{ids.Count - pages.Count} of the requested prefix pages are missing from the database.");
    }

    /// <inheritdoc />
    public void Write(IReadOnlyList<PrefixPage> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        if (pages.Count == 0)
        {
            return;
        }

        // Read committed is enough: pages are only ever inserted, and a reused id fails the primary key, which
        // rolls the whole batch back.
        using NpgsqlConnection connection = database.Open();
        using NpgsqlTransaction transaction = connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        PostgresCommands.ExecuteInChunks(connection, transaction, PostgresCommands.RowInserts(
            database.Table("prefix_pages"), "id, page", 2, pages.Select(page => new object[] { (long)page.Id, PrefixPageCodec.Encode(page) }).ToArray()));
        transaction.Commit();
    }
}
