using System.Data;
using Npgsql;
using OpenCkv.Directory.Authentication;
using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Storage;

namespace OpenCkv.Storage.Postgres;

/// <summary>
/// The directory's rows in one schema of a PostgreSQL database: accounts, which account holds which handle, devices
/// with their facts and request keys, one-time codes (hashed) and sessions (by token hash). Records are not here:
/// the log is their only home. Every method is one transaction on a pooled connection, so several servers may share
/// the schema.
/// </summary>
/// <remarks>
/// Transactions run at read committed. Each either writes rows named by their primary keys, where two conflicting
/// writers meet on the key (a unique violation, reported as <see cref="DirectoryConflictException"/>) or on the row
/// lock, or changes one row in one statement (<c>attempts = attempts + 1</c> is atomic at this level). Serializable
/// isolation would guard nothing more and would add retry errors for the callers to handle.
/// </remarks>
public sealed class PostgresDirectoryStore : IDirectoryStore, INonceLedger, IDisposable
{
    private const string DeviceColumns = PostgresDevices.Columns;

    private readonly PostgresSchema _schema;
    private readonly PostgresNonceLedger _nonces;

    /// <summary>Connects to the database and creates the schema and the directory's tables if they are missing.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="schema">The schema holding the tables: lower-case letters, digits and underscores.</param>
    public PostgresDirectoryStore(string connectionString, string schema = "public")
    {
        _schema = new PostgresSchema(connectionString, schema, Tables);
        _nonces = new PostgresNonceLedger(_schema);
    }

    /// <inheritdoc />
    public Account? Account(byte[] accountId) => QueryOne(
        $"SELECT account_id, created_ms, managed, totp_secret, totp_enabled FROM {Table("accounts")} WHERE account_id = $1", ReadAccount, accountId);

    /// <inheritdoc />
    public void CreateAccount(Account account, string label, DirectoryDevice device, bool replaceHandle)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(device);
        try
        {
            InTransaction(batch =>
            {
                if (replaceHandle)
                {
                    Add(batch, $"DELETE FROM {Table("handles")} WHERE label = $1", label);
                }

                Add(
                    batch,
                    $"INSERT INTO {Table("accounts")} (account_id, created_ms, managed, totp_secret, totp_enabled) VALUES ($1, $2, $3, $4, $5)",
                    account.AccountId, (long)account.CreatedMs, account.Managed, PostgresCommands.NullableBytes(account.TotpSecret), account.TotpEnabled);
                Add(batch, $"INSERT INTO {Table("handles")} (label, account_id, seq) VALUES ($1, $2, 0)", label, account.AccountId);
                AddDevice(batch, device);
            });
        }
        catch (PostgresException e) when (PostgresCommands.IsConstraintViolation(e))
        {
            throw new DirectoryConflictException("The account id, device id or handle is taken.");
        }
    }

    /// <inheritdoc />
    public void DeleteAccount(byte[] accountId) => InTransaction(batch =>
    {
        // Sessions name their account without a key to it, so they go first; handles and devices cascade.
        Add(batch, $"DELETE FROM {Table("sessions")} WHERE account_id = $1", accountId);
        Add(batch, $"DELETE FROM {Table("accounts")} WHERE account_id = $1", accountId);
    });

    /// <inheritdoc />
    public byte[]? AccountOf(string label) =>
        QueryOne($"SELECT account_id FROM {Table("handles")} WHERE label = $1", r => r.GetFieldValue<byte[]>(0), label);

    /// <inheritdoc />
    public IReadOnlyList<string> HandlesOf(byte[] accountId) =>
        QueryAll($"SELECT label FROM {Table("handles")} WHERE account_id = $1 ORDER BY seq, label", r => r.GetString(0), accountId);

    /// <inheritdoc />
    public DirectoryDevice? Device(byte[] deviceId) =>
        QueryOne($"SELECT {DeviceColumns} FROM {Table("devices")} WHERE device_id = $1", ReadDevice, deviceId);

    /// <inheritdoc />
    public IReadOnlyList<DirectoryDevice> Devices(byte[] accountId) =>
        QueryAll($"SELECT {DeviceColumns} FROM {Table("devices")} WHERE account_id = $1 ORDER BY registered_ms, device_id", ReadDevice, accountId);

    /// <inheritdoc />
    /// <remarks>Three statements in one round trip (a batch runs as one implicit transaction).</remarks>
    public AccountRows? AccountWithRows(byte[] accountId)
    {
        using NpgsqlConnection connection = _schema.Open();
        using NpgsqlBatch batch = AccountWithRowsBatch(connection, accountId);
        using NpgsqlDataReader reader = batch.ExecuteReader();
        var rows = new AccountRowsReader();
        while (true)
        {
            while (reader.Read())
            {
                rows.Add(reader);
            }

            if (!reader.NextResult())
            {
                return rows.Result();
            }

            rows.NextResult();
        }
    }

    /// <inheritdoc />
    public async Task<AccountRows?> AccountWithRowsAsync(byte[] accountId)
    {
        await using NpgsqlConnection connection = await _schema.OpenAsync().ConfigureAwait(false);
        await using NpgsqlBatch batch = AccountWithRowsBatch(connection, accountId);
        await using NpgsqlDataReader reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
        var rows = new AccountRowsReader();
        while (true)
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                rows.Add(reader);
            }

            if (!await reader.NextResultAsync().ConfigureAwait(false))
            {
                return rows.Result();
            }

            rows.NextResult();
        }
    }

    /// <summary>The account, its handles and its devices: three statements in one round trip (one implicit transaction).</summary>
    private NpgsqlBatch AccountWithRowsBatch(NpgsqlConnection connection, byte[] accountId)
    {
        var batch = new NpgsqlBatch(connection);
        Add(batch, $"SELECT account_id, created_ms, managed, totp_secret, totp_enabled FROM {Table("accounts")} WHERE account_id = $1", accountId);
        Add(batch, $"SELECT label FROM {Table("handles")} WHERE account_id = $1 ORDER BY seq, label", accountId);
        Add(batch, $"SELECT {DeviceColumns} FROM {Table("devices")} WHERE account_id = $1 ORDER BY registered_ms, device_id", accountId);
        return batch;
    }

    /// <summary>Collects the three result sets of <see cref="AccountWithRowsBatch"/>, row by row.</summary>
    private sealed class AccountRowsReader
    {
        private readonly List<string> _handles = [];
        private readonly List<DirectoryDevice> _devices = [];
        private Account? _account;
        private int _result;

        public void Add(NpgsqlDataReader reader)
        {
            switch (_result)
            {
                case 0:
                    _account = ReadAccount(reader);
                    break;
                case 1:
                    _handles.Add(reader.GetString(0));
                    break;
                default:
                    _devices.Add(ReadDevice(reader));
                    break;
            }
        }

        public void NextResult() => _result++;

        public AccountRows? Result() => _account is null ? null : new AccountRows(_account, _handles, _devices);
    }

    /// <inheritdoc />
    public void AddDevice(DirectoryDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        try
        {
            InTransaction(batch => AddDevice(batch, device));
        }
        catch (PostgresException e) when (PostgresCommands.IsConstraintViolation(e))
        {
            throw new DirectoryConflictException("The device id is taken.");
        }
    }

    /// <inheritdoc />
    public void UpdateFacts(byte[] deviceId, DeviceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        InTransaction(batch => Add(
            batch,
            $"UPDATE {Table("devices")} SET name = $1, platform = $2, software_version = $3, protocol_version = $4, passcode = $5, keychain = $6 WHERE device_id = $7",
            facts.Name, (long)facts.Platform, facts.SoftwareVersion.ToString(), (long)facts.ProtocolVersion, facts.Passcode, facts.Keychain, deviceId));
    }

    /// <inheritdoc />
    public void RemoveDevice(byte[] deviceId) =>
        InTransaction(batch => Add(batch, $"DELETE FROM {Table("devices")} WHERE device_id = $1", deviceId));

    /// <inheritdoc />
    public void SetTotp(byte[] accountId, byte[]? secret, bool enabled) => InTransaction(batch => Add(
        batch, $"UPDATE {Table("accounts")} SET totp_secret = $1, totp_enabled = $2 WHERE account_id = $3", PostgresCommands.NullableBytes(secret), enabled, accountId));

    /// <inheritdoc />
    public void SetManaged(byte[] accountId, bool managed) =>
        InTransaction(batch => Add(batch, $"UPDATE {Table("accounts")} SET managed = $1 WHERE account_id = $2", managed, accountId));

    /// <inheritdoc />
    public void PutCode(HandleCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        InTransaction(batch => Add(
            batch,
            $"""
            INSERT INTO {Table("handle_codes")} (label, code_hash, expires_ms, attempts) VALUES ($1, $2, $3, $4)
            ON CONFLICT (label) DO UPDATE SET code_hash = excluded.code_hash, expires_ms = excluded.expires_ms, attempts = excluded.attempts
            """,
            code.Label, code.CodeHash, (long)code.ExpiresMs, (long)code.Attempts));
    }

    /// <inheritdoc />
    public HandleCode? Code(string label) => QueryOne(
        $"SELECT label, code_hash, expires_ms, attempts FROM {Table("handle_codes")} WHERE label = $1",
        r => new HandleCode(r.GetString(0), r.GetFieldValue<byte[]>(1), (ulong)r.GetInt64(2), checked((int)r.GetInt64(3))),
        label);

    /// <inheritdoc />
    public int TakeCodeAttempt(string label)
    {
        using NpgsqlConnection connection = _schema.Open();
        List<long> attempts = PostgresCommands.QueryAll(
            connection, null, $"UPDATE {Table("handle_codes")} SET attempts = attempts + 1 WHERE label = $1 RETURNING attempts", r => r.GetInt64(0), label);
        return attempts.Count > 0 ? checked((int)attempts[0]) : 0;
    }

    /// <inheritdoc />
    public void DeleteCode(string label) =>
        InTransaction(batch => Add(batch, $"DELETE FROM {Table("handle_codes")} WHERE label = $1", label));

    /// <inheritdoc />
    public void PutSession(byte[] tokenHash, Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        InTransaction(batch =>
        {
            Add(batch, $"DELETE FROM {Table("sessions")} WHERE expires_ms <= $1", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Add(
                batch,
                $"INSERT INTO {Table("sessions")} (token_hash, account_id, device_id, expires_ms) VALUES ($1, $2, $3, $4)",
                tokenHash, session.AccountId, session.DeviceId, (long)session.ExpiresMs);
        });
    }

    /// <inheritdoc />
    public Session? Session(byte[] tokenHash) => QueryOne(
        $"SELECT account_id, device_id, expires_ms FROM {Table("sessions")} WHERE token_hash = $1",
        r => new Session(r.GetFieldValue<byte[]>(0), r.GetFieldValue<byte[]>(1), (ulong)r.GetInt64(2)),
        tokenHash);

    /// <inheritdoc />
    public Task<bool> SpendAsync(byte[] nonce, long expiresMs, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        return _nonces.SpendAsync(nonce, expiresMs, nowMs);
    }

    /// <inheritdoc />
    public void Dispose() => _schema.Dispose();

    // The SQLite store's tables in the types all three databases document: booleans are boolean, numbers bigint.
    private static string[] Tables(string s) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {s}.accounts (
          account_id bytea PRIMARY KEY,
          created_ms bigint NOT NULL,
          managed boolean NOT NULL,
          totp_secret bytea,
          totp_enabled boolean NOT NULL)
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s}.handles (
          label text PRIMARY KEY,
          account_id bytea NOT NULL REFERENCES {s}.accounts (account_id) ON DELETE CASCADE,
          seq bigint NOT NULL)
        """,
        $"CREATE INDEX IF NOT EXISTS handles_by_account ON {s}.handles (account_id, seq)",
        $"""
        CREATE TABLE IF NOT EXISTS {s}.devices (
          device_id bytea PRIMARY KEY,
          account_id bytea NOT NULL REFERENCES {s}.accounts (account_id) ON DELETE CASCADE,
          name text NOT NULL,
          platform bigint NOT NULL,
          software_version text NOT NULL,
          protocol_version bigint NOT NULL,
          passcode boolean NOT NULL,
          keychain boolean NOT NULL,
          request_key bytea NOT NULL,
          registered_ms bigint NOT NULL)
        """,
        $"CREATE INDEX IF NOT EXISTS devices_by_account ON {s}.devices (account_id)",
        $"""
        CREATE TABLE IF NOT EXISTS {s}.handle_codes (
          label text PRIMARY KEY,
          code_hash bytea NOT NULL,
          expires_ms bigint NOT NULL,
          attempts bigint NOT NULL)
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {s}.sessions (
          token_hash bytea PRIMARY KEY,
          account_id bytea NOT NULL,
          device_id bytea NOT NULL REFERENCES {s}.devices (device_id) ON DELETE CASCADE,
          expires_ms bigint NOT NULL)
        """,
        $"CREATE TABLE IF NOT EXISTS {s}.request_nonces (nonce bytea PRIMARY KEY, expires_ms bigint NOT NULL)",
        $"CREATE INDEX IF NOT EXISTS sessions_by_account ON {s}.sessions (account_id)",
        $"CREATE INDEX IF NOT EXISTS sessions_by_device ON {s}.sessions (device_id)",
    ];

    private static DirectoryDevice ReadDevice(NpgsqlDataReader r) => PostgresDevices.Read(r, 0);

    private static Account ReadAccount(NpgsqlDataReader r) =>
        new(r.GetFieldValue<byte[]>(0), (ulong)r.GetInt64(1), r.GetBoolean(2), r.IsDBNull(3) ? null : r.GetFieldValue<byte[]>(3), r.GetBoolean(4));

    private void AddDevice(NpgsqlBatch batch, DirectoryDevice device) =>
        Add(batch, $"INSERT INTO {Table("devices")} ({DeviceColumns}) VALUES ({PostgresCommands.Placeholders(10)})", PostgresDevices.Values(device));

    private static void Add(NpgsqlBatch batch, string sql, params ReadOnlySpan<object> values) =>
        batch.BatchCommands.Add(PostgresCommands.BatchCommand(sql, values));

    private string Table(string table) => _schema.Table(table);

    /// <summary>Runs the statements <paramref name="build"/> adds as one batch (one round trip) in one transaction.</summary>
    private void InTransaction(Action<NpgsqlBatch> build)
    {
        using NpgsqlConnection connection = _schema.Open();
        using NpgsqlTransaction transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        using var batch = new NpgsqlBatch(connection, transaction);
        build(batch);
        batch.ExecuteNonQuery();
        transaction.Commit();
    }

    private T? QueryOne<T>(string sql, Func<NpgsqlDataReader, T> read, params ReadOnlySpan<object> values)
        where T : class
    {
        List<T> rows = QueryAll(sql, read, values);
        return rows.Count > 0 ? rows[0] : null;
    }

    private List<T> QueryAll<T>(string sql, Func<NpgsqlDataReader, T> read, params ReadOnlySpan<object> values)
    {
        using NpgsqlConnection connection = _schema.Open();
        return PostgresCommands.QueryAll(connection, null, sql, read, values);
    }
}
