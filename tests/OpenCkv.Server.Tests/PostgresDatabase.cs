using Npgsql;

namespace OpenCkv.Server.Tests;

/// <summary>
/// A fresh database on the PostgreSQL server named by OPENCKV_TEST_POSTGRES (scripts/test.sh starts one and sets
/// it), dropped afterwards. Without the variable the test fails: a backend never tested must not pass as green.
/// </summary>
public sealed class PostgresDatabase : IDisposable
{
    private readonly string _admin;
    private readonly string _name = $"ckv_server_{Guid.NewGuid():N}";

    public PostgresDatabase()
    {
        _admin = Environment.GetEnvironmentVariable("OPENCKV_TEST_POSTGRES")
            ?? throw new InvalidOperationException("OPENCKV_TEST_POSTGRES is not set; scripts/test.sh starts a PostgreSQL server and sets it.");
        Execute($"CREATE DATABASE {_name}");
    }

    /// <summary>The connection string of this database.</summary>
    public string ConnectionString => Named(_name);

    /// <summary>The connection string of another database on the same server.</summary>
    public string Named(string database) => new NpgsqlConnectionStringBuilder(_admin) { Database = database }.ConnectionString;

    /// <summary>Runs one statement as the administrator.</summary>
    public void Execute(string sql)
    {
        using var data = NpgsqlDataSource.Create(_admin);
        using NpgsqlCommand command = data.CreateCommand(sql);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }
}
