using Microsoft.Data.Sqlite;
using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Storage;

namespace OpenCkv.Storage.Sqlite;

/// <summary>
/// The directory's rows in their own SQLite file (write-ahead logging, full synchronous commits): accounts, which
/// account holds which handle, devices with their facts and request keys, one-time codes (hashed) and sessions
/// (by token hash). Records are not here: the log is their only home.
/// </summary>
public sealed class SqliteDirectoryStore : IDirectoryStore, IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS accounts (
          account_id BLOB PRIMARY KEY,
          created_ms INTEGER NOT NULL,
          managed INTEGER NOT NULL,
          totp_secret BLOB,
          totp_enabled INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS handles (
          label TEXT PRIMARY KEY,
          account_id BLOB NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
          seq INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS handles_by_account ON handles (account_id, seq);
        CREATE TABLE IF NOT EXISTS devices (
          device_id BLOB PRIMARY KEY,
          account_id BLOB NOT NULL REFERENCES accounts (account_id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          platform INTEGER NOT NULL,
          software_version TEXT NOT NULL,
          protocol_version INTEGER NOT NULL,
          passcode INTEGER NOT NULL,
          keychain INTEGER NOT NULL,
          request_key BLOB NOT NULL,
          registered_ms INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS devices_by_account ON devices (account_id);
        CREATE TABLE IF NOT EXISTS handle_codes (
          label TEXT PRIMARY KEY,
          code_hash BLOB NOT NULL,
          expires_ms INTEGER NOT NULL,
          attempts INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS sessions (
          token_hash BLOB PRIMARY KEY,
          account_id BLOB NOT NULL,
          device_id BLOB NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
          expires_ms INTEGER NOT NULL);
        """;

    private readonly SqliteRows _rows;

    /// <summary>Opens (creating if needed) the directory database at <paramref name="path"/>.</summary>
    public SqliteDirectoryStore(string path) => _rows = new SqliteRows(path, Schema);

    /// <inheritdoc />
    public Account? Account(byte[] accountId) =>
        _rows.QueryOne("SELECT account_id, created_ms, managed, totp_secret, totp_enabled FROM accounts WHERE account_id = $a", ReadAccount, ("$a", accountId));

    /// <inheritdoc />
    public void CreateAccount(Account account, string label, DirectoryDevice device, bool replaceHandle)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(device);
        _rows.InTransaction(transaction =>
        {
            if (replaceHandle)
            {
                _rows.Execute("DELETE FROM handles WHERE label = $l", transaction, ("$l", label));
            }

            try
            {
                _rows.Execute(
                    "INSERT INTO accounts (account_id, created_ms, managed, totp_secret, totp_enabled) VALUES ($a, $c, $m, $s, $e)",
                    transaction,
                    ("$a", account.AccountId), ("$c", (long)account.CreatedMs), ("$m", account.Managed), ("$s", account.TotpSecret), ("$e", account.TotpEnabled));
                _rows.Execute("INSERT INTO handles (label, account_id, seq) VALUES ($l, $a, 0)", transaction, ("$l", label), ("$a", account.AccountId));
                InsertDevice(device, transaction);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteRows.ConstraintViolation)
            {
                throw new DirectoryConflictException("The account id, device id or handle is taken.");
            }
        });
    }

    /// <inheritdoc />
    public void DeleteAccount(byte[] accountId) => _rows.InTransaction(transaction =>
    {
        _rows.Execute("DELETE FROM sessions WHERE account_id = $a", transaction, ("$a", accountId));
        _rows.Execute("DELETE FROM accounts WHERE account_id = $a", transaction, ("$a", accountId));
    });

    /// <inheritdoc />
    public byte[]? AccountOf(string label) =>
        _rows.QueryOne("SELECT account_id FROM handles WHERE label = $l", r => (byte[])r[0], ("$l", label));

    /// <inheritdoc />
    public IReadOnlyList<string> HandlesOf(byte[] accountId) =>
        _rows.QueryAll("SELECT label FROM handles WHERE account_id = $a ORDER BY seq, label", r => r.GetString(0), ("$a", accountId));

    /// <inheritdoc />
    public DirectoryDevice? Device(byte[] deviceId) =>
        _rows.QueryOne($"SELECT {DeviceRows.Columns} FROM devices WHERE device_id = $d", r => DeviceRows.Read(r, 0), ("$d", deviceId));

    /// <inheritdoc />
    public IReadOnlyList<DirectoryDevice> Devices(byte[] accountId) =>
        _rows.QueryAll($"SELECT {DeviceRows.Columns} FROM devices WHERE account_id = $a ORDER BY registered_ms, device_id", r => DeviceRows.Read(r, 0), ("$a", accountId));

    /// <inheritdoc />
    public void AddDevice(DirectoryDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _rows.InTransaction(transaction =>
        {
            try
            {
                InsertDevice(device, transaction);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteRows.ConstraintViolation)
            {
                throw new DirectoryConflictException("The device id is taken.");
            }
        });
    }

    /// <inheritdoc />
    public void UpdateFacts(byte[] deviceId, DeviceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        _rows.InTransaction(transaction => _rows.Execute(
            "UPDATE devices SET name = $n, platform = $p, software_version = $v, protocol_version = $pv, passcode = $pc, keychain = $k WHERE device_id = $d",
            transaction,
            ("$n", facts.Name), ("$p", (int)facts.Platform), ("$v", facts.SoftwareVersion.ToString()), ("$pv", facts.ProtocolVersion),
            ("$pc", facts.Passcode), ("$k", facts.Keychain), ("$d", deviceId)));
    }

    /// <inheritdoc />
    public void RemoveDevice(byte[] deviceId) =>
        _rows.InTransaction(transaction => _rows.Execute("DELETE FROM devices WHERE device_id = $d", transaction, ("$d", deviceId)));

    /// <inheritdoc />
    public void SetTotp(byte[] accountId, byte[]? secret, bool enabled) =>
        _rows.InTransaction(transaction => _rows.Execute(
            "UPDATE accounts SET totp_secret = $s, totp_enabled = $e WHERE account_id = $a", transaction, ("$s", secret), ("$e", enabled), ("$a", accountId)));

    /// <inheritdoc />
    public void SetManaged(byte[] accountId, bool managed) =>
        _rows.InTransaction(transaction => _rows.Execute("UPDATE accounts SET managed = $m WHERE account_id = $a", transaction, ("$m", managed), ("$a", accountId)));

    /// <inheritdoc />
    public void PutCode(HandleCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        _rows.InTransaction(transaction => _rows.Execute(
            "INSERT OR REPLACE INTO handle_codes (label, code_hash, expires_ms, attempts) VALUES ($l, $h, $e, $n)",
            transaction,
            ("$l", code.Label), ("$h", code.CodeHash), ("$e", (long)code.ExpiresMs), ("$n", code.Attempts)));
    }

    /// <inheritdoc />
    public HandleCode? Code(string label) => _rows.QueryOne(
        "SELECT label, code_hash, expires_ms, attempts FROM handle_codes WHERE label = $l",
        r => new HandleCode(r.GetString(0), (byte[])r[1], (ulong)r.GetInt64(2), r.GetInt32(3)),
        ("$l", label));

    /// <inheritdoc />
    public int TakeCodeAttempt(string label) => _rows.InTransaction(transaction =>
        _rows.Scalar("UPDATE handle_codes SET attempts = attempts + 1 WHERE label = $l RETURNING attempts", transaction, ("$l", label)) is long attempts ? (int)attempts : 0);

    /// <inheritdoc />
    public void DeleteCode(string label) =>
        _rows.InTransaction(transaction => _rows.Execute("DELETE FROM handle_codes WHERE label = $l", transaction, ("$l", label)));

    /// <inheritdoc />
    public void PutSession(byte[] tokenHash, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _rows.InTransaction(transaction =>
        {
            _rows.Execute("DELETE FROM sessions WHERE expires_ms <= $now", transaction, ("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            _rows.Execute(
                "INSERT INTO sessions (token_hash, account_id, device_id, expires_ms) VALUES ($t, $a, $d, $e)",
                transaction,
                ("$t", tokenHash), ("$a", session.AccountId), ("$d", session.DeviceId), ("$e", (long)session.ExpiresMs));
        });
    }

    /// <inheritdoc />
    public Session? Session(byte[] tokenHash) => _rows.QueryOne(
        "SELECT account_id, device_id, expires_ms FROM sessions WHERE token_hash = $t",
        r => new Session((byte[])r[0], (byte[])r[1], (ulong)r.GetInt64(2)),
        ("$t", tokenHash));

    /// <inheritdoc />
    public void Dispose() => _rows.Dispose();

    private static Account ReadAccount(SqliteDataReader r) =>
        new((byte[])r[0], (ulong)r.GetInt64(1), r.GetBoolean(2), r.IsDBNull(3) ? null : (byte[])r[3], r.GetBoolean(4));
    private void InsertDevice(DirectoryDevice device, SqliteTransaction transaction) =>
        _rows.Execute($"INSERT INTO devices ({DeviceRows.Columns}) VALUES ({DeviceRows.Placeholders})", transaction, DeviceRows.Parameters(device));
}
