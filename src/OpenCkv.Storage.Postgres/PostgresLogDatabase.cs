using Npgsql;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// A log's tables in one schema of a PostgreSQL database, and the pooled connections to it. Many readers run at
/// once, each on its own connection; commits of one process are serialized by <see cref="Writer"/>, and a second
/// process committing the same position is refused (see <see cref="PostgresLogStore.Commit"/>); which process
/// writes at all is settled by <see cref="PostgresSequencerLease"/>.
/// </summary>
public sealed class PostgresLogDatabase : IDisposable
{
    private readonly PostgresSchema _schema;

    /// <summary>Connects to the database and creates the schema and the log's tables if they are missing.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="schema">The schema holding the tables: lower-case letters, digits and underscores.</param>
    public PostgresLogDatabase(string connectionString, string schema = "public")
    {
        _schema = new PostgresSchema(connectionString, schema, Tables);
    }

    /// <summary>Serializes this process's commits and log-tree appends.</summary>
    internal Lock Writer { get; } = new();

    /// <summary>A table of the log's schema, for SQL.</summary>
    internal string Table(string table) => _schema.Table(table);

    /// <summary>An open connection from the pool; the caller disposes it.</summary>
    internal NpgsqlConnection Open() => _schema.Open();

    /// <summary>
    /// The signed statement handing this log over to a new log (docs/ckv-protocol.md §9), or null while the log is
    /// live. It lives in the database, so every server sharing the log finds it (<see cref="PostgresSequencerLease.HandOver"/>).
    /// </summary>
    public byte[]? Handover()
    {
        using NpgsqlConnection connection = Open();
        List<byte[]> rows = PostgresCommands.QueryAll(
            connection, null, $"SELECT statement FROM {Table("log_handover")} WHERE name = $1", r => r.GetFieldValue<byte[]>(0), HandoverName);
        return rows.Count == 1 ? rows[0] : null;
    }

    /// <summary>The one row of <c>log_handover</c>.</summary>
    internal const string HandoverName = "handover";

    /// <inheritdoc />
    public void Dispose() => _schema.Dispose();

    // Only types all three databases document: bigint, bytea, primary keys and a plain secondary index. Every
    // 64-bit unsigned number is stored as the bigint with the same bits.
    private static string[] Tables(string s) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s}.entries (
          position bigint PRIMARY KEY,
          timestamp_ms bigint NOT NULL,
          prefix_root_page bigint NOT NULL,
          prefix_root bytea NOT NULL,
          head_signature bytea NOT NULL)
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s}.versions (
          label bytea NOT NULL,
          version bigint NOT NULL,
          position bigint NOT NULL,
          seq bigint NOT NULL,
          vrf_output bytea NOT NULL,
          commitment bytea NOT NULL,
          opening bytea NOT NULL,
          value bytea NOT NULL,
          PRIMARY KEY (label, version))
        """,
        $"CREATE INDEX IF NOT EXISTS versions_by_position ON {s}.versions (position, seq)",
        $"CREATE TABLE IF NOT EXISTS {s}.prefix_pages (id bigint PRIMARY KEY, page bytea NOT NULL)",
        $"CREATE TABLE IF NOT EXISTS {s}.log_heads (level bigint NOT NULL, idx bigint NOT NULL, value bytea NOT NULL, PRIMARY KEY (level, idx))",
        $"""
        CREATE TABLE IF NOT EXISTS {s}.sequencer_lease (
          name text PRIMARY KEY,
          holder text NOT NULL,
          epoch bigint NOT NULL,
          expires_at timestamptz NOT NULL,
          address text NOT NULL)
        """,
        $"CREATE TABLE IF NOT EXISTS {s}.log_handover (name text PRIMARY KEY, statement bytea NOT NULL)",
    ];
}
