using Microsoft.Data.Sqlite;

namespace OpenCkv.Storage.Sqlite;

/// <summary>
/// One SQLite file holding a log: the connection (write-ahead logging, full synchronous commits, so a committed
/// step survives a crash) and the schema. One writer at a time; the stores on it serialize their use of the
/// connection.
/// </summary>
public sealed class SqliteLogDatabase : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS entries (
          position INTEGER PRIMARY KEY,
          timestamp INTEGER NOT NULL,
          prefix_root_page INTEGER NOT NULL,
          prefix_root BLOB NOT NULL,
          head_signature BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS versions (
          label BLOB NOT NULL,
          version INTEGER NOT NULL,
          position INTEGER NOT NULL,
          seq INTEGER NOT NULL,
          vrf_output BLOB NOT NULL,
          commitment BLOB NOT NULL,
          opening BLOB NOT NULL,
          value BLOB NOT NULL,
          PRIMARY KEY (label, version));
        CREATE INDEX IF NOT EXISTS versions_by_position ON versions (position, seq);
        CREATE TABLE IF NOT EXISTS prefix_pages (id INTEGER PRIMARY KEY, page BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS log_heads (level INTEGER NOT NULL, idx INTEGER NOT NULL, value BLOB NOT NULL, PRIMARY KEY (level, idx));
        """;

    /// <summary>Opens (creating if needed) the log database at <paramref name="path"/>.</summary>
    public SqliteLogDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        Connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
        Execute(Schema);
    }

    /// <summary>The open connection; callers hold <see cref="Gate"/> while they use it.</summary>
    internal SqliteConnection Connection { get; }

    /// <summary>Serializes use of the connection.</summary>
    internal Lock Gate { get; } = new();

    internal void Execute(string sql, SqliteTransaction? transaction = null)
    {
        using SqliteCommand command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose() => Connection.Dispose();
}
