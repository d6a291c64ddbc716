using Microsoft.Data.Sqlite;
using OpenCkv.Directory.Storage;

namespace OpenCkv.Storage.Sqlite;

/// <summary>The relays' rows (mailboxes, keychain blobs, join requests and their exchange) in their own SQLite file.</summary>
public sealed class SqliteRelayStore : IRelayStore, IDisposable
{
    private const string Schema = $"""
        CREATE TABLE IF NOT EXISTS messages (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          sender_account BLOB NOT NULL,
          sender_device BLOB NOT NULL,
          recipient_device BLOB NOT NULL,
          received_ms INTEGER NOT NULL,
          body BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS messages_by_recipient ON messages (recipient_device, id);
        CREATE TABLE IF NOT EXISTS keychain_blobs (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          account_id BLOB NOT NULL,
          sender_device BLOB NOT NULL,
          recipient_device BLOB NOT NULL,
          version INTEGER NOT NULL,
          received_ms INTEGER NOT NULL,
          body BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS blobs_by_recipient ON keychain_blobs (recipient_device, id);
        CREATE TABLE IF NOT EXISTS blob_versions (
          sender_device BLOB NOT NULL,
          recipient_device BLOB NOT NULL,
          version INTEGER NOT NULL,
          PRIMARY KEY (sender_device, recipient_device));
        CREATE TABLE IF NOT EXISTS joins (
          join_id BLOB PRIMARY KEY,
          {DeviceRows.Columns},
          signing_key BLOB NOT NULL,
          encryption_key BLOB NOT NULL,
          token_hash BLOB NOT NULL,
          created_ms INTEGER NOT NULL,
          state INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS joins_by_account ON joins (account_id, created_ms);
        CREATE TABLE IF NOT EXISTS join_messages (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          join_id BLOB NOT NULL REFERENCES joins (join_id) ON DELETE CASCADE,
          from_joiner INTEGER NOT NULL,
          body BLOB NOT NULL);
        """;

    private const string JoinColumns = $"join_id, {DeviceRows.Columns}, signing_key, encryption_key, token_hash, created_ms, state";

    private readonly SqliteRows _rows;

    /// <summary>Opens (creating if needed) the relay database at <paramref name="path"/>.</summary>
    public SqliteRelayStore(string path) => _rows = new SqliteRows(path, Schema);

    /// <inheritdoc />
    public IReadOnlyList<long> PutMessages(IReadOnlyList<RelayMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _rows.InTransaction(transaction => messages.Select(m => (long)_rows.Scalar(
            "INSERT INTO messages (sender_account, sender_device, recipient_device, received_ms, body) VALUES ($a, $s, $r, $t, $b) RETURNING id",
            transaction,
            ("$a", m.SenderAccount), ("$s", m.SenderDevice), ("$r", m.RecipientDevice), ("$t", (long)m.ReceivedMs), ("$b", m.Body))!).ToArray());
    }

    /// <inheritdoc />
    public IReadOnlyList<RelayMessage> Messages(byte[] deviceId, int max) => _rows.QueryAll(
        "SELECT id, sender_account, sender_device, recipient_device, received_ms, body FROM messages WHERE recipient_device = $r ORDER BY id LIMIT $n",
        r => new RelayMessage(r.GetInt64(0), (byte[])r[1], (byte[])r[2], (byte[])r[3], (ulong)r.GetInt64(4), (byte[])r[5]),
        ("$r", deviceId), ("$n", max));

    /// <inheritdoc />
    public int CountMessages(byte[] deviceId) =>
        (int)(long)_rows.Scalar("SELECT COUNT(*) FROM messages WHERE recipient_device = $r", null, ("$r", deviceId))!;

    /// <inheritdoc />
    public int CountMessagesFrom(byte[] deviceId, byte[] senderAccount) =>
        (int)(long)_rows.Scalar("SELECT COUNT(*) FROM messages WHERE recipient_device = $r AND sender_account = $a", null, ("$r", deviceId), ("$a", senderAccount))!;

    /// <inheritdoc />
    public int DeleteMessages(byte[] deviceId, IReadOnlyList<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return _rows.InTransaction(transaction =>
            ids.Sum(id => _rows.Execute("DELETE FROM messages WHERE id = $i AND recipient_device = $r", transaction, ("$i", id), ("$r", deviceId))));
    }

    /// <inheritdoc />
    public long PutBlob(KeychainBlob blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        return _rows.InTransaction(transaction =>
        {
            _rows.Execute(
                "INSERT INTO blob_versions (sender_device, recipient_device, version) VALUES ($s, $r, $v) ON CONFLICT (sender_device, recipient_device) DO UPDATE SET version = excluded.version",
                transaction,
                ("$s", blob.SenderDevice), ("$r", blob.RecipientDevice), ("$v", (long)blob.Version));
            return (long)_rows.Scalar(
                "INSERT INTO keychain_blobs (account_id, sender_device, recipient_device, version, received_ms, body) VALUES ($a, $s, $r, $v, $t, $b) RETURNING id",
                transaction,
                ("$a", blob.AccountId), ("$s", blob.SenderDevice), ("$r", blob.RecipientDevice), ("$v", (long)blob.Version), ("$t", (long)blob.ReceivedMs), ("$b", blob.Body))!;
        });
    }

    /// <inheritdoc />
    public IReadOnlyList<KeychainBlob> Blobs(byte[] deviceId) => _rows.QueryAll(
        "SELECT id, account_id, sender_device, recipient_device, version, received_ms, body FROM keychain_blobs WHERE recipient_device = $r ORDER BY id",
        r => new KeychainBlob(r.GetInt64(0), (byte[])r[1], (byte[])r[2], (byte[])r[3], (ulong)r.GetInt64(4), (ulong)r.GetInt64(5), (byte[])r[6]),
        ("$r", deviceId));

    /// <inheritdoc />
    public int CountBlobs(byte[] deviceId) =>
        (int)(long)_rows.Scalar("SELECT COUNT(*) FROM keychain_blobs WHERE recipient_device = $r", null, ("$r", deviceId))!;

    /// <inheritdoc />
    public ulong? LatestBlobVersion(byte[] senderDevice, byte[] recipientDevice) =>
        _rows.Scalar("SELECT version FROM blob_versions WHERE sender_device = $s AND recipient_device = $r", null, ("$s", senderDevice), ("$r", recipientDevice)) is long v ? (ulong)v : null;

    /// <inheritdoc />
    public bool DeleteBlob(byte[] deviceId, long id) =>
        _rows.InTransaction(transaction => _rows.Execute("DELETE FROM keychain_blobs WHERE id = $i AND recipient_device = $r", transaction, ("$i", id), ("$r", deviceId))) > 0;

    /// <inheritdoc />
    public void PutJoin(JoinRequest join)
    {
        ArgumentNullException.ThrowIfNull(join);
        _rows.InTransaction(transaction => _rows.Execute(
            $"INSERT INTO joins ({JoinColumns}) VALUES ($j, {DeviceRows.Placeholders}, $sk, $ek, $th, $c, $st)",
            transaction,
            [("$j", join.JoinId), .. DeviceRows.Parameters(join.Device), ("$sk", join.SigningKey), ("$ek", join.EncryptionKey), ("$th", join.TokenHash), ("$c", (long)join.CreatedMs), ("$st", (int)join.State)]));
    }

    /// <inheritdoc />
    public JoinRequest? Join(byte[] joinId) => _rows.QueryOne($"SELECT {JoinColumns} FROM joins WHERE join_id = $j", ReadJoin, ("$j", joinId));

    /// <inheritdoc />
    public IReadOnlyList<JoinRequest> PendingJoins(byte[] accountId) =>
        _rows.QueryAll($"SELECT {JoinColumns} FROM joins WHERE account_id = $a AND state = 0 ORDER BY created_ms", ReadJoin, ("$a", accountId));

    /// <inheritdoc />
    public bool SettleJoin(byte[] joinId, JoinState state) => _rows.InTransaction(transaction =>
        _rows.Execute("UPDATE joins SET state = $s WHERE join_id = $j AND state = 0", transaction, ("$s", (int)state), ("$j", joinId))) > 0;

    /// <inheritdoc />
    public long AddJoinMessage(byte[] joinId, bool fromJoiner, byte[] body) => _rows.InTransaction(transaction => (long)_rows.Scalar(
        "INSERT INTO join_messages (join_id, from_joiner, body) VALUES ($j, $f, $b) RETURNING seq", transaction, ("$j", joinId), ("$f", fromJoiner), ("$b", body))!);

    /// <inheritdoc />
    public IReadOnlyList<JoinMessage> JoinMessages(byte[] joinId, long afterSequence) => _rows.QueryAll(
        "SELECT seq, from_joiner, body FROM join_messages WHERE join_id = $j AND seq > $after ORDER BY seq",
        r => new JoinMessage(r.GetInt64(0), r.GetBoolean(1), (byte[])r[2]),
        ("$j", joinId), ("$after", afterSequence));

    /// <inheritdoc />
    public void ForgetDevice(byte[] deviceId) => _rows.InTransaction(transaction =>
    {
        _rows.Execute("DELETE FROM messages WHERE recipient_device = $d", transaction, ("$d", deviceId));
        _rows.Execute("DELETE FROM keychain_blobs WHERE recipient_device = $d", transaction, ("$d", deviceId));
    });

    /// <inheritdoc />
    public void Dispose() => _rows.Dispose();

    /// <inheritdoc />
    public int DeleteJoinsCreatedBefore(ulong createdBeforeMs) => _rows.InTransaction(transaction =>
    {
        // The messages first: the connection may not enforce the cascade.
        _rows.Execute(
            "DELETE FROM join_messages WHERE join_id IN (SELECT join_id FROM joins WHERE created_ms < $c)", transaction, ("$c", (long)createdBeforeMs));
        return _rows.Execute("DELETE FROM joins WHERE created_ms < $c", transaction, ("$c", (long)createdBeforeMs));
    });

    private static JoinRequest ReadJoin(SqliteDataReader r) =>
        new((byte[])r[0], ((byte[])r[1]), DeviceRows.Read(r, 1), (byte[])r[11], (byte[])r[12], (byte[])r[13], (ulong)r.GetInt64(14), (JoinState)r.GetInt32(15));
}
