using Microsoft.Data.Sqlite;

namespace OpenCkv.Storage.Sqlite;

/// <summary>
/// One SQLite file of plain rows (the directory's, the relays'): one connection (write-ahead logging, full
/// synchronous commits, a busy timeout for a second process such as `ckv server admin`) used under a lock, and
/// small helpers for parameterized statements and transactions.
/// </summary>
internal sealed class SqliteRows : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    public SqliteRows(string path, string schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
        Execute(schema);
    }

    /// <summary>SQLite's constraint violation (a unique or primary key taken).</summary>
    public const int ConstraintViolation = 19;

    public void InTransaction(Action<SqliteTransaction> work)
    {
        lock (_gate)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            work(transaction);
            transaction.Commit();
        }
    }

    public T InTransaction<T>(Func<SqliteTransaction, T> work)
    {
        lock (_gate)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            T result = work(transaction);
            transaction.Commit();
            return result;
        }
    }

    public T? QueryOne<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
        where T : class
    {
        List<T> all = QueryAll(sql, read, parameters);
        return all.Count > 0 ? all[0] : null;
    }

    public List<T> QueryAll<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        lock (_gate)
        {
            using SqliteCommand command = Command(sql, null, parameters);
            using SqliteDataReader reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }

            return rows;
        }
    }

    public object? Scalar(string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        lock (_gate)
        {
            using SqliteCommand command = Command(sql, transaction, parameters);
            return command.ExecuteScalar();
        }
    }

    public int Execute(string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using SqliteCommand command = Command(sql, transaction, parameters);
        return command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? transaction, (string Name, object? Value)[] parameters)
    {
        SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach ((string name, object? value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public void Dispose() => _connection.Dispose();
}
