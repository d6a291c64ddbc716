using Microsoft.Data.Sqlite;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Verification;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Profiles;

/// <summary>
/// A device profile's state in one SQLite file: its settings, the log state it retains, its contacts and the pins
/// of their handles, alerts, messages and message counters. Never private keys (<see cref="Secrets.ISecretStore"/>).
/// Changes that belong together are written in one transaction, so a crash loses none and keeps no half.
/// </summary>
public sealed class ProfileDatabase : IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS own_records (label TEXT PRIMARY KEY, record BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS circle (device_id BLOB PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS left_circle (device_id BLOB PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS contacts (name TEXT PRIMARY KEY COLLATE NOCASE, label TEXT NOT NULL, code TEXT, added_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS pins (
            label TEXT PRIMARY KEY, record BLOB NOT NULL, highest_counter INTEGER NOT NULL, verified_ms INTEGER NOT NULL,
            seen_on INTEGER NOT NULL, last_check_passed INTEGER NOT NULL, monitored BLOB);
        CREATE TABLE IF NOT EXISTS alerts (
            id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, severity TEXT NOT NULL, code TEXT NOT NULL,
            label TEXT, detail TEXT NOT NULL, acknowledged INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, outgoing INTEGER NOT NULL, label TEXT NOT NULL,
            text TEXT NOT NULL, device TEXT NOT NULL, shown INTEGER NOT NULL DEFAULT 1);
        CREATE TABLE IF NOT EXISTS received_counters (
            conversation BLOB NOT NULL, sender_device BLOB NOT NULL, counter INTEGER NOT NULL, PRIMARY KEY (conversation, sender_device, counter));
        CREATE TABLE IF NOT EXISTS send_counters (
            conversation BLOB NOT NULL, recipient_device BLOB NOT NULL, counter INTEGER NOT NULL, PRIMARY KEY (conversation, recipient_device));
        CREATE TABLE IF NOT EXISTS owner_states (label TEXT PRIMARY KEY, state BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS evidence (alert_id INTEGER PRIMARY KEY, own BLOB NOT NULL, peer BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS comparison_steps (
            id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL, sender_device BLOB NOT NULL, body BLOB NOT NULL);
        """;

    private readonly SqliteConnection _connection;

    /// <summary>Opens (creating if needed) the profile database at <paramref name="path"/>.</summary>
    public ProfileDatabase(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute(Schema);
    }

    /// <summary>Runs <paramref name="work"/> in one transaction: all of its writes land, or none.</summary>
    public void InTransaction(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        using SqliteTransaction transaction = _connection.BeginTransaction();
        work();
        transaction.Commit();
    }

    // Settings: small values by name.

    /// <summary>A setting, or null.</summary>
    public byte[]? Setting(string key) => Scalar("SELECT value FROM settings WHERE key = $k", ("$k", key)) as byte[];

    /// <summary>A text setting, or null.</summary>
    public string? TextSetting(string key) => Setting(key) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Stores a setting.</summary>
    public void SetSetting(string key, byte[] value) =>
        Execute("INSERT INTO settings (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("$k", key), ("$v", value));

    /// <summary>Stores a text setting.</summary>
    public void SetSetting(string key, string value) => SetSetting(key, System.Text.Encoding.UTF8.GetBytes(value));

    /// <summary>The log state this device retains, or null before its first verified response.</summary>
    public ClientState? KtState() => Setting("kt_state") is { } bytes ? KtStateCodec.DecodeState(bytes) : null;

    /// <summary>Replaces the retained log state (call only with a state a verifier returned).</summary>
    public void SetKtState(ClientState state) => SetSetting("kt_state", KtStateCodec.Encode(state));

    // The account's own records and circle.

    /// <summary>The newest record of each of the account's handles, as this device last verified or published it.</summary>
    public IReadOnlyList<HandleRecord> OwnRecords() =>
        Rows("SELECT record FROM own_records ORDER BY label", r => TlsCodec.Decode<HandleRecord>((byte[])r[0]));

    /// <summary>Stores an own record.</summary>
    public void SetOwnRecord(HandleRecord record) =>
        Execute(
            "INSERT INTO own_records (label, record) VALUES ($l, $r) ON CONFLICT (label) DO UPDATE SET record = excluded.record",
            ("$l", System.Text.Encoding.UTF8.GetString(record.Label)),
            ("$r", TlsCodec.Encode(record)));

    /// <summary>The devices of the keychain circle, as this device knows them.</summary>
    public IReadOnlyList<(byte[] DeviceId, string Name)> Circle() =>
        Rows("SELECT device_id, name FROM circle ORDER BY name", r => ((byte[])r[0], (string)r[1]));

    /// <summary>Adds a device to the circle.</summary>
    public void AddToCircle(byte[] deviceId, string name) =>
        Execute("INSERT INTO circle (device_id, name) VALUES ($d, $n) ON CONFLICT (device_id) DO UPDATE SET name = excluded.name", ("$d", deviceId), ("$n", name));

    /// <summary>Removes a device from the circle, remembering that it was in it.</summary>
    public void RemoveFromCircle(byte[] deviceId) =>
        Execute("DELETE FROM circle WHERE device_id = $d; INSERT INTO left_circle (device_id) VALUES ($d) ON CONFLICT DO NOTHING", ("$d", deviceId));

    /// <summary>Whether this device removed <paramref name="deviceId"/> from the circle (signed it out).</summary>
    public bool LeftCircle(byte[] deviceId) => Scalar("SELECT 1 FROM left_circle WHERE device_id = $d", ("$d", deviceId)) is not null;

    // Contacts and pins.

    /// <summary>Every contact, by name.</summary>
    public IReadOnlyList<ContactEntry> Contacts() =>
        Rows("SELECT name, label, code, added_ms FROM contacts ORDER BY name", ReadContact);

    /// <summary>The contact called <paramref name="name"/> (case-insensitive), or null.</summary>
    public ContactEntry? Contact(string name) =>
        Rows("SELECT name, label, code, added_ms FROM contacts WHERE name = $n", ReadContact, ("$n", name)).FirstOrDefault();

    /// <summary>Adds a contact; false when the name is taken.</summary>
    public bool AddContact(ContactEntry contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return Execute(
            "INSERT INTO contacts (name, label, code, added_ms) VALUES ($n, $l, $c, $t) ON CONFLICT (name) DO NOTHING",
            ("$n", contact.Name), ("$l", contact.Label), ("$c", contact.SavedCode), ("$t", (long)contact.AddedMs)) == 1;
    }

    /// <summary>Saves (or clears) a contact's verification code.</summary>
    public void SetContactCode(string name, string? code) => Execute("UPDATE contacts SET code = $c WHERE name = $n", ("$n", name), ("$c", code));

    /// <summary>The pin of a handle, or null when it was never verified.</summary>
    public ContactPin? Pin(string label) =>
        Rows(
            "SELECT label, record, highest_counter, verified_ms, seen_on, last_check_passed, monitored FROM pins WHERE label = $l",
            r => new ContactPin(
                (string)r[0],
                TlsCodec.Decode<HandleRecord>((byte[])r[1]),
                (ulong)(long)r[2],
                (ulong)(long)r[3],
                (long)r[4] != 0,
                (long)r[5] != 0,
                r[6] is byte[] monitored ? KtStateCodec.DecodeMonitored(monitored) : null),
            ("$l", label)).FirstOrDefault();

    /// <summary>Every pinned label that still has versions to monitor.</summary>
    public IReadOnlyList<string> MonitoredLabels() => Rows("SELECT label FROM pins WHERE monitored IS NOT NULL ORDER BY label", r => (string)r[0]);

    /// <summary>Stores a pin.</summary>
    public void SetPin(ContactPin pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        Execute(
            """
            INSERT INTO pins (label, record, highest_counter, verified_ms, seen_on, last_check_passed, monitored)
            VALUES ($l, $r, $c, $v, $s, $p, $m)
            ON CONFLICT (label) DO UPDATE SET record = excluded.record, highest_counter = excluded.highest_counter,
                verified_ms = excluded.verified_ms, seen_on = excluded.seen_on, last_check_passed = excluded.last_check_passed,
                monitored = excluded.monitored
            """,
            ("$l", pin.Label),
            ("$r", TlsCodec.Encode(pin.Record)),
            ("$c", (long)pin.HighestCounter),
            ("$v", (long)pin.VerifiedMs),
            ("$s", pin.SeenOn ? 1 : 0),
            ("$p", pin.LastCheckPassed ? 1 : 0),
            ("$m", pin.Monitored is null || pin.Monitored.Done ? null : KtStateCodec.Encode(pin.Monitored)));
    }

    /// <summary>Marks the latest check of a pinned handle as failed (the pin itself stays as it was).</summary>
    public void MarkCheckFailed(string label) => Execute("UPDATE pins SET last_check_passed = 0 WHERE label = $l", ("$l", label));

    // Alerts.

    /// <summary>
    /// Records an alert. A warning — or the clock-skew notification, a condition rather than an event — that keeps
    /// being caught stays one alert while the same one (code and label) is unacknowledged. Any other notification
    /// tells of an event (a code change, an opt-out, missing messages), and each event is its own alert: a second
    /// rotation is news even while the first is unread; only the same event again (same code, label and detail) is
    /// not. Returns the alert's id.
    /// </summary>
    public long Raise(ulong timeMs, string code, string? label, string detail)
    {
        bool condition = AlertCode.SeverityOf(code) == AlertSeverity.Warning || code == AlertCode.ClockSkew;
        if (Scalar(
                condition
                    ? "SELECT id FROM alerts WHERE code = $c AND label IS $l AND acknowledged = 0"
                    : "SELECT id FROM alerts WHERE code = $c AND label IS $l AND detail = $d",
                ("$c", code),
                ("$l", label),
                ("$d", detail)) is long existing)
        {
            return existing;
        }

        return (long)Scalar(
            "INSERT INTO alerts (time_ms, severity, code, label, detail) VALUES ($t, $s, $c, $l, $d) RETURNING id",
            ("$t", (long)timeMs),
            ("$s", AlertCode.SeverityOf(code) == AlertSeverity.Warning ? "warning" : "notification"),
            ("$c", code),
            ("$l", label),
            ("$d", detail))!;
    }

    /// <summary>Alerts, newest first; all of them, or only those not yet acknowledged.</summary>
    public IReadOnlyList<Alert> Alerts(bool unacknowledgedOnly = false) =>
        Rows(
            "SELECT id, time_ms, severity, code, label, detail, acknowledged FROM alerts" + (unacknowledgedOnly ? " WHERE acknowledged = 0" : string.Empty) + " ORDER BY id DESC",
            r => new Alert((long)r[0], (ulong)(long)r[1], (string)r[2] == "warning" ? AlertSeverity.Warning : AlertSeverity.Notification, (string)r[3], r[4] as string, (string)r[5], (long)r[6] != 0));

    /// <summary>Acknowledges one alert; false when there is no such alert.</summary>
    public bool Acknowledge(long id) => Execute("UPDATE alerts SET acknowledged = 1 WHERE id = $i", ("$i", id)) == 1;

    /// <summary>Acknowledges every warning about <paramref name="label"/> (the person re-verified the contact).</summary>
    public void AcknowledgeWarnings(string label) =>
        Execute("UPDATE alerts SET acknowledged = 1 WHERE label = $l AND severity = 'warning'", ("$l", label));

    // Messages.

    /// <summary>Stores a message shown in a conversation.</summary>
    public void AddMessage(ulong timeMs, bool outgoing, string label, string text, string device, bool shown = true) =>
        Execute(
            "INSERT INTO messages (time_ms, outgoing, label, text, device, shown) VALUES ($t, $o, $l, $x, $d, $s)",
            ("$t", (long)timeMs), ("$o", outgoing ? 1 : 0), ("$l", label), ("$x", text), ("$d", device), ("$s", shown ? 1 : 0));

    /// <summary>The received messages not shown yet, oldest first, now marked shown.</summary>
    public IReadOnlyList<(string Label, bool Outgoing, string Text, string Device)> TakeUnshownMessages()
    {
        IReadOnlyList<(string, bool, string, string)> rows = [];
        InTransaction(() =>
        {
            rows = Rows("SELECT label, outgoing, text, device FROM messages WHERE shown = 0 ORDER BY id", r => ((string)r[0], (long)r[1] != 0, (string)r[2], (string)r[3]));
            Execute("UPDATE messages SET shown = 1 WHERE shown = 0");
        });
        return rows;
    }

    /// <summary>The messages of the conversation with <paramref name="label"/>, oldest first.</summary>
    public IReadOnlyList<(ulong TimeMs, bool Outgoing, string Text, string Device)> Messages(string label) =>
        Rows("SELECT time_ms, outgoing, text, device FROM messages WHERE label = $l ORDER BY id", r => ((ulong)(long)r[0], (long)r[1] != 0, (string)r[2], (string)r[3]), ("$l", label));

    /// <summary>
    /// The next counter this device sends under in <paramref name="conversation"/> to <paramref name="recipientDevice"/>
    /// (1, 2, …), kept. One sequence per recipient device: a gap is then exactly a message that device did not get.
    /// </summary>
    public ulong NextSendCounter(byte[] conversation, byte[] recipientDevice) =>
        (ulong)(long)Scalar(
            "INSERT INTO send_counters (conversation, recipient_device, counter) VALUES ($c, $r, 1) ON CONFLICT (conversation, recipient_device) DO UPDATE SET counter = counter + 1 RETURNING counter",
            ("$c", conversation), ("$r", recipientDevice))!;

    /// <summary>
    /// Gives back <paramref name="counter"/>, the last one <see cref="NextSendCounter"/> handed out for this conversation
    /// and recipient device, when the server refused the message it was for (nothing was queued under it).
    /// </summary>
    public void ReleaseSendCounter(byte[] conversation, byte[] recipientDevice, ulong counter) =>
        Execute(
            "UPDATE send_counters SET counter = counter - 1 WHERE conversation = $c AND recipient_device = $r AND counter = $n",
            ("$c", conversation), ("$r", recipientDevice), ("$n", (long)counter));

    /// <summary>
    /// Records that <paramref name="counter"/> arrived from a device in a conversation. False when it arrived before
    /// (a replay). <paramref name="highestBefore"/> is the highest counter seen from that device until now (0 if none).
    /// </summary>
    public bool TryRecordReceived(byte[] conversation, byte[] senderDevice, ulong counter, out ulong highestBefore)
    {
        highestBefore = (ulong)(long)(Scalar(
            "SELECT COALESCE(MAX(counter), 0) FROM received_counters WHERE conversation = $c AND sender_device = $d",
            ("$c", conversation), ("$d", senderDevice)) ?? 0L);
        return Execute(
            "INSERT INTO received_counters (conversation, sender_device, counter) VALUES ($c, $d, $n) ON CONFLICT DO NOTHING",
            ("$c", conversation), ("$d", senderDevice), ("$n", (long)counter)) == 1;
    }

    /// <summary>The owner-monitoring state of one of the account's own labels (KT §8.3), or null before initialization.</summary>
    public OwnerState? OwnerState(string label) =>
        Rows("SELECT state FROM owner_states WHERE label = $l", r => KtStateCodec.DecodeOwner((byte[])r[0]), ("$l", label)).FirstOrDefault();

    /// <summary>Stores an owner-monitoring state (only one a verifier returned).</summary>
    public void SetOwnerState(string label, OwnerState owner) =>
        Execute("INSERT INTO owner_states (label, state) VALUES ($l, $s) ON CONFLICT (label) DO UPDATE SET state = excluded.state", ("$l", label), ("$s", KtStateCodec.Encode(owner)));

    /// <summary>Keeps the two responses that prove a fork, beside the alert that reports it.</summary>
    public void AddEvidence(long alertId, byte[] own, byte[] peer) =>
        Execute("INSERT INTO evidence (alert_id, own, peer) VALUES ($a, $o, $p) ON CONFLICT (alert_id) DO NOTHING", ("$a", alertId), ("$o", own), ("$p", peer));

    /// <summary>The evidence kept for an alert, or null.</summary>
    public (byte[] Own, byte[] Peer)? Evidence(long alertId) =>
        Rows("SELECT own, peer FROM evidence WHERE alert_id = $a", r => ((byte[])r[0], (byte[])r[1]), ("$a", alertId)).Select(e => ((byte[], byte[])?)e).FirstOrDefault();

    /// <summary>Keeps a comparison step that arrived from a contact's device, for the comparison screen to take.</summary>
    public void AddComparisonStep(string label, byte[] senderDevice, byte[] body) =>
        Execute("INSERT INTO comparison_steps (label, sender_device, body) VALUES ($l, $d, $b)", ("$l", label), ("$d", senderDevice), ("$b", body));

    /// <summary>Takes (returns and deletes) the comparison steps waiting from <paramref name="label"/>, oldest first.</summary>
    public IReadOnlyList<(byte[] SenderDevice, byte[] Body)> TakeComparisonSteps(string label)
    {
        IReadOnlyList<(byte[], byte[])> steps = Rows("SELECT sender_device, body FROM comparison_steps WHERE label = $l ORDER BY id", r => ((byte[])r[0], (byte[])r[1]), ("$l", label));
        Execute("DELETE FROM comparison_steps WHERE label = $l", ("$l", label));
        return steps;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private static ContactEntry ReadContact(SqliteDataReader r) => new((string)r[0], (string)r[1], r[2] as string, (ulong)(long)r[3]);

    private int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using SqliteCommand command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using SqliteCommand command = Command(sql, parameters);
        object? value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private List<T> Rows<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using SqliteCommand command = Command(sql, parameters);
        using SqliteDataReader reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach ((string name, object? value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}
