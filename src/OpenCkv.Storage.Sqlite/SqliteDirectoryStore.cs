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

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    /// <summary>Opens (creating if needed) the directory database at <paramref name="path"/>.</summary>
    public SqliteDirectoryStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
        Execute(Schema);
    }

    /// <inheritdoc />
    public Account? Account(byte[] accountId) =>
        QueryOne("SELECT account_id, created_ms, managed, totp_secret, totp_enabled FROM accounts WHERE account_id = $a", ReadAccount, ("$a", accountId));

    /// <inheritdoc />
    public void CreateAccount(Account account, string label, DirectoryDevice device, bool replaceHandle)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(device);
        InTransaction(transaction =>
        {
            if (replaceHandle)
            {
                Execute("DELETE FROM handles WHERE label = $l", transaction, ("$l", label));
            }

            try
            {
                Execute(
                    "INSERT INTO accounts (account_id, created_ms, managed, totp_secret, totp_enabled) VALUES ($a, $c, $m, $s, $e)",
                    transaction,
                    ("$a", account.AccountId), ("$c", (long)account.CreatedMs), ("$m", account.Managed), ("$s", account.TotpSecret), ("$e", account.TotpEnabled));
                Execute("INSERT INTO handles (label, account_id, seq) VALUES ($l, $a, 0)", transaction, ("$l", label), ("$a", account.AccountId));
                InsertDevice(device, transaction);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19)
            {
                throw new DirectoryConflictException("The account id, device id or handle is taken.");
            }
        });
    }

    /// <inheritdoc />
    public void DeleteAccount(byte[] accountId) => InTransaction(transaction =>
    {
        Execute("DELETE FROM sessions WHERE account_id = $a", transaction, ("$a", accountId));
        Execute("DELETE FROM accounts WHERE account_id = $a", transaction, ("$a", accountId));
    });

    /// <inheritdoc />
    public byte[]? AccountOf(string label) =>
        QueryOne("SELECT account_id FROM handles WHERE label = $l", r => (byte[])r[0], ("$l", label));

    /// <inheritdoc />
    public IReadOnlyList<string> HandlesOf(byte[] accountId) =>
        QueryAll("SELECT label FROM handles WHERE account_id = $a ORDER BY seq, label", r => r.GetString(0), ("$a", accountId));

    /// <inheritdoc />
    public DirectoryDevice? Device(byte[] deviceId) =>
        QueryOne($"SELECT {DeviceColumns} FROM devices WHERE device_id = $d", ReadDevice, ("$d", deviceId));

    /// <inheritdoc />
    public IReadOnlyList<DirectoryDevice> Devices(byte[] accountId) =>
        QueryAll($"SELECT {DeviceColumns} FROM devices WHERE account_id = $a ORDER BY registered_ms, device_id", ReadDevice, ("$a", accountId));

    /// <inheritdoc />
    public void UpdateFacts(byte[] deviceId, DeviceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        InTransaction(transaction => Execute(
            "UPDATE devices SET name = $n, platform = $p, software_version = $v, protocol_version = $pv, passcode = $pc, keychain = $k WHERE device_id = $d",
            transaction,
            ("$n", facts.Name), ("$p", (int)facts.Platform), ("$v", facts.SoftwareVersion.ToString()), ("$pv", facts.ProtocolVersion),
            ("$pc", facts.Passcode), ("$k", facts.Keychain), ("$d", deviceId)));
    }

    /// <inheritdoc />
    public void RemoveDevice(byte[] deviceId) =>
        InTransaction(transaction => Execute("DELETE FROM devices WHERE device_id = $d", transaction, ("$d", deviceId)));

    /// <inheritdoc />
    public void SetTotp(byte[] accountId, byte[]? secret, bool enabled) =>
        InTransaction(transaction => Execute(
            "UPDATE accounts SET totp_secret = $s, totp_enabled = $e WHERE account_id = $a", transaction, ("$s", secret), ("$e", enabled), ("$a", accountId)));

    /// <inheritdoc />
    public void SetManaged(byte[] accountId, bool managed) =>
        InTransaction(transaction => Execute("UPDATE accounts SET managed = $m WHERE account_id = $a", transaction, ("$m", managed), ("$a", accountId)));

    /// <inheritdoc />
    public void PutCode(HandleCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        InTransaction(transaction => Execute(
            "INSERT OR REPLACE INTO handle_codes (label, code_hash, expires_ms, attempts) VALUES ($l, $h, $e, $n)",
            transaction,
            ("$l", code.Label), ("$h", code.CodeHash), ("$e", (long)code.ExpiresMs), ("$n", code.Attempts)));
    }

    /// <inheritdoc />
    public HandleCode? Code(string label) => QueryOne(
        "SELECT label, code_hash, expires_ms, attempts FROM handle_codes WHERE label = $l",
        r => new HandleCode(r.GetString(0), (byte[])r[1], (ulong)r.GetInt64(2), r.GetInt32(3)),
        ("$l", label));

    /// <inheritdoc />
    public void CountCodeAttempt(string label) =>
        InTransaction(transaction => Execute("UPDATE handle_codes SET attempts = attempts + 1 WHERE label = $l", transaction, ("$l", label)));

    /// <inheritdoc />
    public void DeleteCode(string label) =>
        InTransaction(transaction => Execute("DELETE FROM handle_codes WHERE label = $l", transaction, ("$l", label)));

    /// <inheritdoc />
    public void PutSession(byte[] tokenHash, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        InTransaction(transaction =>
        {
            Execute("DELETE FROM sessions WHERE expires_ms <= $now", transaction, ("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            Execute(
                "INSERT INTO sessions (token_hash, account_id, device_id, expires_ms) VALUES ($t, $a, $d, $e)",
                transaction,
                ("$t", tokenHash), ("$a", session.AccountId), ("$d", session.DeviceId), ("$e", (long)session.ExpiresMs));
        });
    }

    /// <inheritdoc />
    public Session? Session(byte[] tokenHash) => QueryOne(
        "SELECT account_id, device_id, expires_ms FROM sessions WHERE token_hash = $t",
        r => new Session((byte[])r[0], (byte[])r[1], (ulong)r.GetInt64(2)),
        ("$t", tokenHash));

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private const string DeviceColumns = "account_id, device_id, name, platform, software_version, protocol_version, passcode, keychain, request_key, registered_ms";

    private static DirectoryDevice ReadDevice(SqliteDataReader r) => new(
        (byte[])r[0],
        (byte[])r[1],
        new DeviceFacts(r.GetString(2), (Platform)r.GetInt32(3), Version.Parse(r.GetString(4)), r.GetInt32(5), r.GetBoolean(6), r.GetBoolean(7)),
        (byte[])r[8],
        (ulong)r.GetInt64(9));

    private static Account ReadAccount(SqliteDataReader r) =>
        new((byte[])r[0], (ulong)r.GetInt64(1), r.GetBoolean(2), r.IsDBNull(3) ? null : (byte[])r[3], r.GetBoolean(4));

    private void InsertDevice(DirectoryDevice device, SqliteTransaction transaction)
    {
        DeviceFacts facts = device.Facts;
        Execute(
            $"INSERT INTO devices ({DeviceColumns}) VALUES ($a, $d, $n, $p, $v, $pv, $pc, $k, $r, $t)",
            transaction,
            ("$a", device.AccountId), ("$d", device.DeviceId), ("$n", facts.Name), ("$p", (int)facts.Platform), ("$v", facts.SoftwareVersion.ToString()),
            ("$pv", facts.ProtocolVersion), ("$pc", facts.Passcode), ("$k", facts.Keychain), ("$r", device.RequestKey), ("$t", (long)device.RegisteredMs));
    }

    private void InTransaction(Action<SqliteTransaction> work)
    {
        lock (_gate)
        {
            using SqliteTransaction transaction = _connection.BeginTransaction();
            work(transaction);
            transaction.Commit();
        }
    }

    private T? QueryOne<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
        where T : class
    {
        List<T> all = QueryAll(sql, read, parameters);
        return all.Count > 0 ? all[0] : null;
    }

    private List<T> QueryAll<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
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

    private void Execute(string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using SqliteCommand command = Command(sql, transaction, parameters);
        command.ExecuteNonQuery();
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
}
