using System.Data;
using Npgsql;
using OpenCkv.Directory.Storage;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// The relays' rows (mailboxes, keychain blobs, join requests and their exchange) in one schema of a PostgreSQL
/// database. Every method is one read-committed transaction: each writes rows by key or deletes by key, so no
/// stronger isolation guards anything more. Ids come from identity columns.
/// </summary>
public sealed class PostgresRelayStore : IRelayStore, IDisposable
{
    private const string JoinColumns = $"join_id, {PostgresDevices.Columns}, signing_key, encryption_key, token_hash, created_ms, state";

    private readonly PostgresSchema _schema;

    /// <summary>Connects to the database and creates the schema and the relays' tables if they are missing.</summary>
    public PostgresRelayStore(string connectionString, string schema = "public") => _schema = new PostgresSchema(connectionString, schema, Tables);

    /// <inheritdoc />
    public IReadOnlyList<long> PutMessages(IReadOnlyList<RelayMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return InTransaction((connection, transaction) => messages.Select(m => PostgresCommands.ScalarLong(
            connection,
            transaction,
            $"INSERT INTO {Table("messages")} (sender_account, sender_device, recipient_device, received_ms, body) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            m.SenderAccount, m.SenderDevice, m.RecipientDevice, (long)m.ReceivedMs, m.Body)).ToArray());
    }

    /// <inheritdoc />
    public IReadOnlyList<RelayMessage> Messages(byte[] deviceId, int max) => QueryAll(
        $"SELECT id, sender_account, sender_device, recipient_device, received_ms, body FROM {Table("messages")} WHERE recipient_device = $1 ORDER BY id LIMIT $2",
        r => new RelayMessage(r.GetInt64(0), r.GetFieldValue<byte[]>(1), r.GetFieldValue<byte[]>(2), r.GetFieldValue<byte[]>(3), (ulong)r.GetInt64(4), r.GetFieldValue<byte[]>(5)),
        deviceId, (long)max);

    /// <inheritdoc />
    public int CountMessages(byte[] deviceId) =>
        (int)InTransaction((c, t) => PostgresCommands.ScalarLong(c, t, $"SELECT COUNT(*) FROM {Table("messages")} WHERE recipient_device = $1", deviceId));

    /// <inheritdoc />
    public int CountMessagesFrom(byte[] deviceId, byte[] senderAccount) =>
        (int)InTransaction((c, t) => PostgresCommands.ScalarLong(
            c, t, $"SELECT COUNT(*) FROM {Table("messages")} WHERE recipient_device = $1 AND sender_account = $2", deviceId, senderAccount));

    /// <inheritdoc />
    public int DeleteMessages(byte[] deviceId, IReadOnlyList<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return InTransaction((c, t) => ids.Sum(id => Execute(c, t, $"DELETE FROM {Table("messages")} WHERE id = $1 AND recipient_device = $2", id, deviceId)));
    }

    /// <inheritdoc />
    public long PutBlob(KeychainBlob blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        return InTransaction((c, t) =>
        {
            Execute(
                c,
                t,
                $"""
                INSERT INTO {Table("blob_versions")} (sender_device, recipient_device, version) VALUES ($1, $2, $3)
                ON CONFLICT (sender_device, recipient_device) DO UPDATE SET version = excluded.version
                """,
                blob.SenderDevice, blob.RecipientDevice, (long)blob.Version);
            return PostgresCommands.ScalarLong(
                c,
                t,
                $"INSERT INTO {Table("keychain_blobs")} (account_id, sender_device, recipient_device, version, received_ms, body) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                blob.AccountId, blob.SenderDevice, blob.RecipientDevice, (long)blob.Version, (long)blob.ReceivedMs, blob.Body);
        });
    }

    /// <inheritdoc />
    public IReadOnlyList<KeychainBlob> Blobs(byte[] deviceId) => QueryAll(
        $"SELECT id, account_id, sender_device, recipient_device, version, received_ms, body FROM {Table("keychain_blobs")} WHERE recipient_device = $1 ORDER BY id",
        r => new KeychainBlob(r.GetInt64(0), r.GetFieldValue<byte[]>(1), r.GetFieldValue<byte[]>(2), r.GetFieldValue<byte[]>(3), (ulong)r.GetInt64(4), (ulong)r.GetInt64(5), r.GetFieldValue<byte[]>(6)),
        deviceId);

    /// <inheritdoc />
    public int CountBlobs(byte[] deviceId) =>
        (int)InTransaction((c, t) => PostgresCommands.ScalarLong(c, t, $"SELECT COUNT(*) FROM {Table("keychain_blobs")} WHERE recipient_device = $1", deviceId));

    /// <inheritdoc />
    public ulong? LatestBlobVersion(byte[] senderDevice, byte[] recipientDevice)
    {
        List<long> versions = QueryAll(
            $"SELECT version FROM {Table("blob_versions")} WHERE sender_device = $1 AND recipient_device = $2", r => r.GetInt64(0), senderDevice, recipientDevice);
        return versions.Count > 0 ? (ulong)versions[0] : null;
    }

    /// <inheritdoc />
    public bool DeleteBlob(byte[] deviceId, long id) =>
        InTransaction((c, t) => Execute(c, t, $"DELETE FROM {Table("keychain_blobs")} WHERE id = $1 AND recipient_device = $2", id, deviceId)) > 0;

    /// <inheritdoc />
    public void PutJoin(JoinRequest join)
    {
        ArgumentNullException.ThrowIfNull(join);
        InTransaction((c, t) => Execute(
            c,
            t,
            $"INSERT INTO {Table("joins")} ({JoinColumns}) VALUES ({PostgresCommands.Placeholders(16)})",
            [join.JoinId, .. PostgresDevices.Values(join.Device), join.SigningKey, join.EncryptionKey, join.TokenHash, (long)join.CreatedMs, (long)join.State]));
    }

    /// <inheritdoc />
    public JoinRequest? Join(byte[] joinId) =>
        QueryAll($"SELECT {JoinColumns} FROM {Table("joins")} WHERE join_id = $1", ReadJoin, joinId) is [var join, ..] ? join : null;

    /// <inheritdoc />
    public IReadOnlyList<JoinRequest> PendingJoins(byte[] accountId) =>
        QueryAll($"SELECT {JoinColumns} FROM {Table("joins")} WHERE account_id = $1 AND state = 0 ORDER BY created_ms", ReadJoin, accountId);

    /// <inheritdoc />
    public bool SettleJoin(byte[] joinId, JoinState state) =>
        InTransaction((c, t) => Execute(c, t, $"UPDATE {Table("joins")} SET state = $1 WHERE join_id = $2 AND state = 0", (long)state, joinId)) > 0;

    /// <inheritdoc />
    public long AddJoinMessage(byte[] joinId, bool fromJoiner, byte[] body) => InTransaction((c, t) => PostgresCommands.ScalarLong(
        c, t, $"INSERT INTO {Table("join_messages")} (join_id, from_joiner, body) VALUES ($1, $2, $3) RETURNING seq", joinId, fromJoiner, body));

    /// <inheritdoc />
    public int DeleteJoinsCreatedBefore(ulong createdBeforeMs) => InTransaction((c, t) =>
    {
        Execute(c, t, $"DELETE FROM {Table("join_messages")} WHERE join_id IN (SELECT join_id FROM {Table("joins")} WHERE created_ms < $1)", (long)createdBeforeMs);
        return Execute(c, t, $"DELETE FROM {Table("joins")} WHERE created_ms < $1", (long)createdBeforeMs);
    });

    /// <inheritdoc />
    public IReadOnlyList<JoinMessage> JoinMessages(byte[] joinId, long afterSequence) => QueryAll(
        $"SELECT seq, from_joiner, body FROM {Table("join_messages")} WHERE join_id = $1 AND seq > $2 ORDER BY seq",
        r => new JoinMessage(r.GetInt64(0), r.GetBoolean(1), r.GetFieldValue<byte[]>(2)),
        joinId, afterSequence);

    /// <inheritdoc />
    public void ForgetDevice(byte[] deviceId) => InTransaction((c, t) =>
        Execute(c, t, $"DELETE FROM {Table("messages")} WHERE recipient_device = $1", deviceId) +
        Execute(c, t, $"DELETE FROM {Table("keychain_blobs")} WHERE recipient_device = $1", deviceId));

    /// <inheritdoc />
    public void Dispose() => _schema.Dispose();

    private static string[] Tables(string s) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s}.messages (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          sender_account bytea NOT NULL,
          sender_device bytea NOT NULL,
          recipient_device bytea NOT NULL,
          received_ms bigint NOT NULL,
          body bytea NOT NULL)
        """,
        $"CREATE INDEX IF NOT EXISTS messages_by_recipient ON {s}.messages (recipient_device, id)",
        $"""
        CREATE TABLE IF NOT EXISTS {s}.keychain_blobs (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          account_id bytea NOT NULL,
          sender_device bytea NOT NULL,
          recipient_device bytea NOT NULL,
          version bigint NOT NULL,
          received_ms bigint NOT NULL,
          body bytea NOT NULL)
        """,
        $"CREATE INDEX IF NOT EXISTS blobs_by_recipient ON {s}.keychain_blobs (recipient_device, id)",
        $"""
        CREATE TABLE IF NOT EXISTS {s}.blob_versions (
          sender_device bytea NOT NULL,
          recipient_device bytea NOT NULL,
          version bigint NOT NULL,
          PRIMARY KEY (sender_device, recipient_device))
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s}.joins (
          join_id bytea PRIMARY KEY,
          account_id bytea NOT NULL,
          device_id bytea NOT NULL,
          name text NOT NULL,
          platform bigint NOT NULL,
          software_version text NOT NULL,
          protocol_version bigint NOT NULL,
          passcode boolean NOT NULL,
          keychain boolean NOT NULL,
          request_key bytea NOT NULL,
          registered_ms bigint NOT NULL,
          signing_key bytea NOT NULL,
          encryption_key bytea NOT NULL,
          token_hash bytea NOT NULL,
          created_ms bigint NOT NULL,
          state bigint NOT NULL)
        """,
        $"CREATE INDEX IF NOT EXISTS joins_by_account ON {s}.joins (account_id, created_ms)",
        $"""
        CREATE TABLE IF NOT EXISTS {s}.join_messages (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          join_id bytea NOT NULL REFERENCES {s}.joins (join_id) ON DELETE CASCADE,
          from_joiner boolean NOT NULL,
          body bytea NOT NULL)
        """,
    ];

    private static JoinRequest ReadJoin(NpgsqlDataReader r) => new(
        r.GetFieldValue<byte[]>(0),
        r.GetFieldValue<byte[]>(1),
        PostgresDevices.Read(r, 1),
        r.GetFieldValue<byte[]>(11),
        r.GetFieldValue<byte[]>(12),
        r.GetFieldValue<byte[]>(13),
        (ulong)r.GetInt64(14),
        (JoinState)r.GetInt64(15));

    private string Table(string table) => _schema.Table(table);

    private static int Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params ReadOnlySpan<object> values)
    {
        using NpgsqlCommand command = PostgresCommands.Command(connection, transaction, sql, values);
        return command.ExecuteNonQuery();
    }

    private T InTransaction<T>(Func<NpgsqlConnection, NpgsqlTransaction, T> work)
    {
        using NpgsqlConnection connection = _schema.Open();
        using NpgsqlTransaction transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        T result = work(connection, transaction);
        transaction.Commit();
        return result;
    }

    private List<T> QueryAll<T>(string sql, Func<NpgsqlDataReader, T> read, params ReadOnlySpan<object> values)
    {
        using NpgsqlConnection connection = _schema.Open();
        return PostgresCommands.QueryAll(connection, null, sql, read, values);
    }
}
