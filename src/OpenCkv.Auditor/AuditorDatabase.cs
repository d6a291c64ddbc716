using Microsoft.Data.Sqlite;

namespace OpenCkv.Auditor;

/// <summary>
/// The auditor's SQLite file: every verified AuditorUpdate's bytes by log position, and the latest signed head
/// (its TLS encoding). A batch of updates and the head signed over them commit together, so after a crash the
/// stored updates always end where the stored head ends. Write-ahead logging and full synchronous commits.
/// </summary>
public sealed class AuditorDatabase : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS updates (position INTEGER PRIMARY KEY, body BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS head (id INTEGER PRIMARY KEY CHECK (id = 1), tree_size INTEGER NOT NULL, body BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), tree_size INTEGER NOT NULL, body BLOB NOT NULL);
        """;

    private readonly SqliteConnection _connection;

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/>.</summary>
    public AuditorDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;", null);
        Execute(Schema, null);
    }

    /// <summary>The stored updates, in log order from position <paramref name="from"/>.</summary>
    /// <exception cref="InvalidDataException">A position is missing.</exception>
    public IEnumerable<byte[]> Updates(ulong from = 0)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT position, body FROM updates WHERE position >= $from ORDER BY position";
        command.Parameters.AddWithValue("$from", checked((long)from));
        using SqliteDataReader reader = command.ExecuteReader();
        long expected = checked((long)from);
        while (reader.Read())
        {
            if (reader.GetInt64(0) != expected)
            {
                throw new InvalidDataException($"The auditor's database lacks the update at position {expected}.");
            }

            expected++;
            yield return (byte[])reader.GetValue(1);
        }
    }

    /// <summary>The latest signed head's encoding and tree size, or null before the first.</summary>
    public (ulong TreeSize, byte[] Head)? Head()
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT tree_size, body FROM head WHERE id = 1";
        using SqliteDataReader reader = command.ExecuteReader();
        return reader.Read() ? ((ulong)reader.GetInt64(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <summary>The auditor's saved state (<c>Auditor.ExportState</c>) and the tree size it is at, or null before the first save.</summary>
    public (ulong TreeSize, byte[] State)? State()
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = "SELECT tree_size, body FROM state WHERE id = 1";
        using SqliteDataReader reader = command.ExecuteReader();
        return reader.Read() ? ((ulong)reader.GetInt64(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <summary>Replaces the saved state with the auditor's state at <paramref name="treeSize"/>.</summary>
    public void SaveState(ulong treeSize, byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using SqliteCommand upsert = _connection.CreateCommand();
        upsert.CommandText = "INSERT INTO state (id, tree_size, body) VALUES (1, $size, $body) ON CONFLICT (id) DO UPDATE SET tree_size = excluded.tree_size, body = excluded.body";
        upsert.Parameters.AddWithValue("$size", checked((long)treeSize));
        upsert.Parameters.AddWithValue("$body", state);
        upsert.ExecuteNonQuery();
    }

    /// <summary>Stores verified updates from <paramref name="first"/> on and the head signed over them, in one transaction.</summary>
    public void Append(ulong first, IReadOnlyList<byte[]> updates, ulong treeSize, byte[] head)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(head);
        using SqliteTransaction transaction = _connection.BeginTransaction();
        using (SqliteCommand insert = _connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO updates (position, body) VALUES ($position, $body)";
            SqliteParameter position = insert.Parameters.Add("$position", SqliteType.Integer);
            SqliteParameter body = insert.Parameters.Add("$body", SqliteType.Blob);
            for (int i = 0; i < updates.Count; i++)
            {
                position.Value = checked((long)(first + (ulong)i));
                body.Value = updates[i];
                insert.ExecuteNonQuery();
            }
        }

        using (SqliteCommand upsert = _connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            upsert.CommandText = "INSERT INTO head (id, tree_size, body) VALUES (1, $size, $body) ON CONFLICT (id) DO UPDATE SET tree_size = excluded.tree_size, body = excluded.body";
            upsert.Parameters.AddWithValue("$size", checked((long)treeSize));
            upsert.Parameters.AddWithValue("$body", head);
            upsert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private void Execute(string sql, SqliteTransaction? transaction)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();
}
