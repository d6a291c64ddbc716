using System.Text.RegularExpressions;
using Npgsql;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// The schema one store keeps its tables in, reached through a pooled <see cref="NpgsqlDataSource"/>. Tables are
/// named with the schema (never through <c>search_path</c>), so two stores in two schemas of one database, or a
/// test in a fresh schema, never see each other's rows.
/// </summary>
internal sealed partial class PostgresSchema : IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects to the database and creates the schema (unless it is <c>public</c>) and the tables if missing.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="name">The schema: lower-case letters, digits and underscores only, because it is written into the SQL text.</param>
    /// <param name="statements">The <c>CREATE … IF NOT EXISTS</c> statements, given the quoted schema name.</param>
    public PostgresSchema(string connectionString, string name, Func<string, IReadOnlyList<string>> statements)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(statements);
        if (name is null || !Identifier().IsMatch(name))
        {
            throw new ArgumentException("A schema name is 1 to 63 lower-case letters, digits and underscores, not starting with a digit.", nameof(name));
        }

        Quoted = $"\"{name}\"";
        _dataSource = NpgsqlDataSource.Create(WithDefaults(connectionString));
        try
        {
            // One statement per command and no explicit transaction: CockroachDB limits schema changes inside
            // transactions, and every statement here is idempotent on its own.
            using NpgsqlConnection connection = _dataSource.OpenConnection();
            if (name != "public")
            {
                Execute(connection, $"CREATE SCHEMA IF NOT EXISTS {Quoted}");
            }

            foreach (string statement in statements(Quoted))
            {
                Execute(connection, statement);
            }
        }
        catch
        {
            _dataSource.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The connection string with the store's defaults where it sets none: statements used twice are prepared on
    /// their connection, since the stores run a few dozen statement texts over and over, and parsing and planning
    /// each again cost the database server as much as running it; and pooled connections are not reset
    /// (docs/benchmarks.md).
    /// </summary>
    internal static string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase) &&
            !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase) &&
            !connectionString.Contains("ResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            // The stores set no session state (no SET, no temporary tables), so a pooled connection needs no reset
            // before it is used again.
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    /// <summary>The schema name, quoted for SQL.</summary>
    public string Quoted { get; }

    /// <summary>A table of this schema, for SQL.</summary>
    public string Table(string table) => $"{Quoted}.{table}";

    /// <summary>An open connection from the pool; the caller disposes it.</summary>
    public NpgsqlConnection Open() => _dataSource.OpenConnection();

    /// <summary>A pooled connection, opened without holding a thread while the pool or the network answers.</summary>
    public ValueTask<NpgsqlConnection> OpenAsync() => _dataSource.OpenConnectionAsync();

    /// <inheritdoc />
    public void Dispose() => _dataSource.Dispose();

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using NpgsqlCommand command = PostgresCommands.Command(connection, null, sql);
        command.ExecuteNonQuery();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
