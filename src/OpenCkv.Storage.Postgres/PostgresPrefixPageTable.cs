using Npgsql;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// Prefix-tree pages as rows (<see cref="PrefixPageCodec"/>), read in one query per batch. Decoded pages, read or
/// written, are cached (<see cref="PrefixPageCache"/>, at most <paramref name="cachedPages"/>): a page never changes
/// once written, so a cached page is never stale, whichever process wrote it. The log store inserts an entry's pages
/// in the entry's own transaction (<see cref="Inserts"/>, <see cref="Committed"/>).
/// </summary>
public sealed class PostgresPrefixPageTable(PostgresLogDatabase database, int cachedPages = 200_000) : IPrefixPageTable
{
    private readonly PrefixPageCache _cache = new(cachedPages);

    /// <inheritdoc />
    /// <remarks>
    /// Read from the table once, then advanced by this process's own commits: only the sequencer writes pages, and a
    /// server that takes the sequencer lease refreshes its store first (<see cref="Forget"/>), so the ids another
    /// holder used in between are read again.
    /// </remarks>
    public ulong NextId => _cache.NextId(() =>
    {
        using NpgsqlConnection connection = database.Open();
        return (ulong)PostgresCommands.ScalarLong(connection, null, $"SELECT COALESCE(MAX(id), 0) + 1 FROM {database.Table("prefix_pages")}");
    });

    /// <summary>The statements that insert <paramref name="pages"/>, for a transaction of the log store's.</summary>
    internal List<NpgsqlBatchCommand> Inserts(IReadOnlyList<PrefixPage> pages) =>
        PostgresCommands.RowInserts(
            database.Table("prefix_pages"), "id, page", 2, pages.Select(page => new object[] { (long)page.Id, PrefixPageCodec.Encode(page) }).ToArray());

    /// <summary>Pages whose insert committed: cached, and the next id moves past them; the pages they replace age out first.</summary>
    internal void Committed(IReadOnlyList<PrefixPage> pages, IReadOnlyCollection<ulong>? replaced = null) => _cache.Committed(pages, replaced);

    /// <summary>Reads the next id from the table again: after a failed commit, or when another server may have written.</summary>
    internal void Forget() => _cache.ForgetNextId();

    /// <inheritdoc />
    public IReadOnlyDictionary<ulong, PrefixPage> Read(IReadOnlyCollection<ulong> ids) => _cache.ReadThrough(ids, missing =>
    {
        // One query per chunk of ids: one round trip for any batch a search or an insert asks for.
        var read = new List<PrefixPage>(missing.Count);
        using NpgsqlConnection connection = database.Open();
        foreach (ulong[] chunk in missing.Chunk(PostgresCommands.MaxListLength))
        {
            string sql = $"SELECT id, page FROM {database.Table("prefix_pages")} WHERE id IN ({PostgresCommands.Placeholders(chunk.Length)})";
            read.AddRange(PostgresCommands.QueryAll(
                connection, null, sql, r => PrefixPageCodec.Decode((ulong)r.GetInt64(0), r.GetFieldValue<byte[]>(1)), [.. chunk.Select(id => (object)(long)id)]));
        }

        return read;
    });

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
        try
        {
            using NpgsqlConnection connection = database.Open();
            using NpgsqlTransaction transaction = connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
            PostgresCommands.ExecuteInChunks(connection, transaction, Inserts(pages));
            transaction.Commit();
        }
        catch
        {
            Forget();
            throw;
        }

        Committed(pages); // the next insert starts from these
    }

    /// <inheritdoc />
    public IReadOnlyList<ulong> IdsFrom(ulong first, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using NpgsqlConnection connection = database.Open();
        return PostgresCommands.QueryAll(
            connection, null, $"SELECT id FROM {database.Table("prefix_pages")} WHERE id >= $1 ORDER BY id LIMIT $2", r => (ulong)r.GetInt64(0), (long)first, limit);
    }

    /// <inheritdoc />
    public void Delete(IReadOnlyCollection<ulong> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return;
        }

        _cache.Remove(ids);
        using NpgsqlConnection connection = database.Open();
        using NpgsqlTransaction transaction = connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        foreach (ulong[] chunk in ids.Chunk(PostgresCommands.MaxListLength))
        {
            using NpgsqlCommand delete = PostgresCommands.Command(
                connection, transaction, $"DELETE FROM {database.Table("prefix_pages")} WHERE id IN ({PostgresCommands.Placeholders(chunk.Length)})", [.. chunk.Select(id => (object)(long)id)]);
            delete.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
