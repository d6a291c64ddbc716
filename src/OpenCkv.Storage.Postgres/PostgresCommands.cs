using Npgsql;
using NpgsqlTypes;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// Parameterized commands with positional parameters (<c>$1</c>, <c>$2</c>, …), the wire protocol's own form, so no
/// value is ever written into SQL text and nothing depends on Npgsql rewriting named parameters.
/// </summary>
internal static class PostgresCommands
{
    /// <summary>SQL's limit is 65,535 parameters per statement; lists of ids stay far below it.</summary>
    public const int MaxListLength = 1_000;

    /// <summary>A command on <paramref name="connection"/> with <paramref name="values"/> as $1, $2, ….</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params ReadOnlySpan<object> values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (object value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        return command;
    }

    /// <summary>One statement of a batch, with <paramref name="values"/> as $1, $2, ….</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, params ReadOnlySpan<object> values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (object value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        return command;
    }

    /// <summary>Rows per multi-row insert: far below the protocol's 65,535 parameters for every table here.</summary>
    public const int MaxRowsPerInsert = 500;

    /// <summary>
    /// The multi-row <c>INSERT … VALUES</c> statements, of at most <see cref="MaxRowsPerInsert"/> rows each, that insert
    /// <paramref name="rows"/> (one value per column): the database parses and plans one statement per chunk rather
    /// than one per row. Run them with <see cref="ExecuteInChunks"/>.
    /// </summary>
    public static List<NpgsqlBatchCommand> RowInserts(string table, string columns, int columnCount, IReadOnlyList<object[]> rows)
    {
        var commands = new List<NpgsqlBatchCommand>();
        foreach (object[][] chunk in rows.Chunk(MaxRowsPerInsert))
        {
            var values = new System.Text.StringBuilder();
            var command = new NpgsqlBatchCommand();
            for (int r = 0; r < chunk.Length; r++)
            {
                values.Append(r == 0 ? "(" : ", (");
                for (int c = 0; c < columnCount; c++)
                {
                    values.Append(c == 0 ? "$" : ", $").Append((r * columnCount) + c + 1);
                    command.Parameters.Add(new NpgsqlParameter { Value = chunk[r][c] });
                }

                values.Append(')');
            }

            command.CommandText = $"INSERT INTO {table} ({columns}) VALUES {values}";
            commands.Add(command);
        }

        return commands;
    }

    /// <summary>Statements per batch when many are sent in one transaction.</summary>
    public const int MaxBatchCommands = 100;

    /// <summary>
    /// Runs <paramref name="commands"/> in <paramref name="transaction"/>, at most <see cref="MaxBatchCommands"/> per
    /// round trip. One huge batch can deadlock: the client is still writing statements while the server, its
    /// replies unread, has stopped reading — until the command timeout.
    /// </summary>
    public static void ExecuteInChunks(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NpgsqlBatchCommand> commands)
    {
        foreach (NpgsqlBatchCommand[] chunk in commands.Chunk(MaxBatchCommands))
        {
            using var batch = new NpgsqlBatch(connection, transaction);
            foreach (NpgsqlBatchCommand command in chunk)
            {
                batch.BatchCommands.Add(command);
            }

            batch.ExecuteNonQuery();
        }
    }

    /// <summary>A <c>bytea</c> parameter that may be NULL (a NULL has no type of its own to infer one from).</summary>
    public static NpgsqlParameter NullableBytes(byte[]? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Bytea, Value = value is null ? DBNull.Value : value };

    /// <summary>"$first, $first+1, …" for a list of <paramref name="count"/> parameters.</summary>
    public static string Placeholders(int count, int first = 1) =>
        string.Join(", ", Enumerable.Range(first, count).Select(i => $"${i}"));

    /// <summary>Every row of a query.</summary>
    public static List<T> QueryAll<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Func<NpgsqlDataReader, T> read, params ReadOnlySpan<object> values)
    {
        using NpgsqlCommand command = Command(connection, transaction, sql, values);
        using NpgsqlDataReader reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>The single value of a query that always returns one row.</summary>
    public static long ScalarLong(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params ReadOnlySpan<object> values)
    {
        using NpgsqlCommand command = Command(connection, transaction, sql, values);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A unique, foreign-key, not-null or check violation (SQLSTATE class 23), the same class of error as SQLite's
    /// SQLITE_CONSTRAINT.
    /// </summary>
    public static bool IsConstraintViolation(PostgresException e) => e.SqlState.StartsWith("23", StringComparison.Ordinal);

    private static NpgsqlParameter Parameter(object value) => value as NpgsqlParameter ?? new NpgsqlParameter { Value = value };
}
