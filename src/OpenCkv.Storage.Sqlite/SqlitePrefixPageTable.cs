using Microsoft.Data.Sqlite;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Storage.Sqlite;

/// <summary>Prefix-tree pages as rows (<see cref="PrefixPageCodec"/>), read in one query per batch.</summary>
public sealed class SqlitePrefixPageTable(SqliteLogDatabase database) : IPrefixPageTable
{
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
            using SqliteCommand command = database.Connection.CreateCommand();
            command.CommandText = $"SELECT id, page FROM prefix_pages WHERE id IN ({string.Join(',', ids.Select((_, i) => $"$p{i}"))})";
            int n = 0;
            foreach (ulong id in ids)
            {
                command.Parameters.AddWithValue($"$p{n++}", (long)id);
            }

            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = (ulong)reader.GetInt64(0);
                pages[id] = PrefixPageCodec.Decode(id, (byte[])reader.GetValue(1));
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
