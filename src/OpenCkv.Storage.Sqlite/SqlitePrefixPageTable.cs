using Microsoft.Data.Sqlite;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Storage.Sqlite;

/// <summary>
/// Prefix-tree pages as rows (<see cref="PrefixPageCodec"/>), read in one query per batch. Decoded pages are
/// cached: a page never changes once written (a change writes a new page under a new id), so a cached page is
/// never stale. The cache holds at most <paramref name="cachedPages"/> pages and is emptied when full.
/// </summary>
public sealed class SqlitePrefixPageTable(SqliteLogDatabase database, int cachedPages = 200_000) : IPrefixPageTable
{
    private const int MaxIdsPerQuery = 900;
    private readonly Dictionary<ulong, PrefixPage> _cache = [];

    /// <inheritdoc />
    public ulong NextId
    {
        get
        {
            lock (database.Gate)
            {
                using SqliteCommand command = database.Connection.CreateCommand();
                command.CommandText = "SELECT COALESCE(MAX(id), 0) + 1 FROM prefix_pages";
                return (ulong)(long)command.ExecuteScalar()!;
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<ulong, PrefixPage> Read(IReadOnlyCollection<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var pages = new Dictionary<ulong, PrefixPage>(ids.Count);
        lock (database.Gate)
        {
            var missing = new List<ulong>();
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

            if (_cache.Count + missing.Count > cachedPages)
            {
                _cache.Clear();
            }

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
                    var id = (ulong)reader.GetInt64(0);
                    PrefixPage page = PrefixPageCodec.Decode(id, (byte[])reader.GetValue(1));
                    pages[id] = page;
                    _cache[id] = page;
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
        lock (database.Gate)
        {
            using SqliteTransaction transaction = database.Connection.BeginTransaction();
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

            transaction.Commit();
        }
    }
}
