using Npgsql;

namespace OpenCkv.Storage.Tests;

/// <summary>
/// The PostgreSQL server the tests run against, named by <c>OPENCKV_TEST_POSTGRES</c>, and a fresh schema per test.
/// A missing variable fails every PostgreSQL test: a backend that was never tested must not pass as green.
/// </summary>
public sealed class PostgresTestDatabase : IDisposable
{
    /// <summary>The environment variable holding an Npgsql connection string.</summary>
    public const string Variable = "OPENCKV_TEST_POSTGRES";

    /// <summary>Reads the connection string and picks a schema name no other test uses.</summary>
    /// <exception cref="InvalidOperationException">The variable is not set.</exception>
    public PostgresTestDatabase()
    {
        string? connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"{Variable} is not set, so the PostgreSQL storage tests cannot run. Start a server with `scripts/postgres.sh start` " +
                $"and export the connection string it prints as {Variable} (scripts/test.sh does both).");
        }

        ConnectionString = connectionString;
    }

    /// <summary>The server's connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>This test's schema; the stores create it on first open.</summary>
    public string Schema { get; } = $"test_{Guid.NewGuid():N}";

    /// <summary>Drops the schema with everything in it.</summary>
    public void Dispose()
    {
        using NpgsqlDataSource dataSource = NpgsqlDataSource.Create(ConnectionString);
        using NpgsqlCommand drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
        drop.ExecuteNonQuery();
    }
}
