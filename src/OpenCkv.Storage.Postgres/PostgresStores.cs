using OpenCkv.Crypto.Hashing;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// Opens the PostgreSQL stores of a server (<c>--postgres CONNSTRING</c>): each creates its schema and tables if
/// they are missing, and owns its pooled connections until disposed.
/// </summary>
public static class PostgresStores
{
    /// <summary>The log store in <paramref name="schema"/>; <paramref name="levelsPerPage"/> is fixed for the life of the schema.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="hasher">The suite's tree hasher.</param>
    /// <param name="schema">The schema holding the log's tables: lower-case letters, digits and underscores.</param>
    /// <param name="levelsPerPage">Prefix-tree levels per stored page.</param>
    public static PostgresLogStore OpenLog(string connectionString, TreeHasher hasher, string schema = "public", int levelsPerPage = 4)
    {
        var database = new PostgresLogDatabase(connectionString, schema);
        try
        {
            return new PostgresLogStore(database, hasher, levelsPerPage, ownsDatabase: true);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>The directory store in <paramref name="schema"/>.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="schema">The schema holding the directory's tables: lower-case letters, digits and underscores.</param>
    public static PostgresDirectoryStore OpenDirectory(string connectionString, string schema = "public") =>
        new(connectionString, schema);

    /// <summary>The relay store (mailboxes, keychain blobs, joins) in <paramref name="schema"/>.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="schema">The schema holding the relays' tables: lower-case letters, digits and underscores.</param>
    public static PostgresRelayStore OpenRelays(string connectionString, string schema = "public") =>
        new(connectionString, schema);
}
