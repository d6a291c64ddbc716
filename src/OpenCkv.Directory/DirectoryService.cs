using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OpenCkv.Directory.Accounts;
using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Publishing;
using OpenCkv.Directory.Sequencing;
using OpenCkv.Directory.Storage;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Directory;

/// <summary>
/// The directory: accounts, handles and devices, and the only path by which records reach the log. Every record
/// is checked on its own (docs/ckv-protocol.md §2.5) and against the handle's newest one with the transition table
/// (§2.7) before it is queued; a change touches every live handle of the account in one entry (§2.4); the caller
/// learns of it only once that entry is committed.
/// </summary>
public sealed partial class DirectoryService
{
    private readonly IDirectoryStore _store;
    private readonly IRelayStore _relays;
    private readonly TransparencyLog _log;
    private readonly Sequencer _sequencer;
    private readonly IHandleCodeSender _codes;
    private readonly DirectoryOptions _options;
    private readonly TimeProvider _time;
    private readonly SecondFactor _secondFactor;
    private readonly KeyedLocks _locks = new();
    private readonly ConcurrentDictionary<string, (long Generation, AccountView View)> _views = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _generations = new(StringComparer.Ordinal);

    /// <summary>A directory over its store, the log and the log's sequencer.</summary>
    public DirectoryService(IDirectoryStore store, IRelayStore relays, TransparencyLog log, Sequencer sequencer, IHandleCodeSender codes, DirectoryOptions options, TimeProvider time)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _relays = relays ?? throw new ArgumentNullException(nameof(relays));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _sequencer = sequencer ?? throw new ArgumentNullException(nameof(sequencer));
        _codes = codes ?? throw new ArgumentNullException(nameof(codes));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _secondFactor = new SecondFactor(time);
    }

    /// <summary>The TOTP checker (shared so a used step is refused everywhere).</summary>
    public SecondFactor SecondFactor => _secondFactor;

    // ---- handle codes ----

    /// <summary>Sends a fresh one-time code to the handle, replacing any earlier one.</summary>
    /// <returns>The handle's label.</returns>
    public async Task<string> RequestCodeAsync(string handle, CancellationToken cancellation)
    {
        string label = Label(handle);
        string code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        _store.PutCode(new HandleCode(label, CodeHash(label, code), NowMs() + (ulong)_options.CodeLifetime.TotalMilliseconds, 0));
        await _codes.SendAsync(label, code, cancellation).ConfigureAwait(false);
        return label;
    }

    /// <summary>
    /// Checks a handle's code without spending it (a later step spends it). Every attempt counts, right or wrong,
    /// and is counted before the comparison, so concurrent guesses cannot pass the limit together; a step after
    /// the code that fails (a wrong second factor) has therefore used one of the code's attempts.
    /// </summary>
    private void CheckCode(string label, string? code)
    {
        int attempts = _store.TakeCodeAttempt(label);
        HandleCode? stored = attempts == 0 ? null : _store.Code(label);
        if (stored is null || stored.ExpiresMs <= NowMs())
        {
            throw new DirectoryException(DirectoryError.NoCode, "No code is pending for this handle, or it expired; request a new one.");
        }

        if (attempts > _options.CodeAttempts)
        {
            throw new DirectoryException(DirectoryError.TooManyAttempts, "Too many attempts with this code; request a new one.");
        }

        if (code is null || !CryptographicOperations.FixedTimeEquals(CodeHash(label, code), stored.CodeHash))
        {
            throw new DirectoryException(DirectoryError.WrongCode, "The code is wrong.");
        }
    }

    private static byte[] CodeHash(string label, string code) => SHA256.HashData(Encoding.UTF8.GetBytes(label + "\n" + code));

    // ---- registration ----

    /// <summary>
    /// Creates an account with its first device and publishes the handle's first record (§2.7, first row): version
    /// 0 (or the next after a tombstone), CKV off, exactly the registering device, authorised by the handle's code.
    /// </summary>
    public async Task<Registration> RegisterAsync(string handle, string? code, DeviceFacts facts, byte[] recordBytes)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(recordBytes);
        string label = Label(handle);
        using IDisposable held = await _locks.AcquireAsync("handle:" + label).ConfigureAwait(false);
        HandleRecord? previous = NewestRecord(label);
        if (previous is not null && previous.State != CkvState.Removed)
        {
            throw new DirectoryException(DirectoryError.HandleTaken, $"{label} belongs to an account; add a device to it by joining instead.");
        }

        CheckCode(label, code);
        HandleRecord record = CheckRecord(recordBytes, label, previous is null ? 0 : checked(previous.Version + 1));
        Refuse(() => RecordTransitions.Check(previous, record, Transition.First, Authorization.HandleCode));
        if (record.State != CkvState.Off || record.Devices.Count != 1)
        {
            throw new DirectoryException(DirectoryError.RecordRejected, "A new account's first record has CKV off and exactly the registering device.");
        }

        Device device = record.Devices[0];
        if (_store.Account(record.AccountId) is not null)
        {
            // An earlier registration that never reached the log left its rows; anything else keeps its id.
            if (View(record.AccountId, fresh: true)?.Records.Count > 0)
            {
                throw new DirectoryException(DirectoryError.IdTaken, "That account id is in use.");
            }

            _store.DeleteAccount(record.AccountId);
        }

        if (_store.Device(device.DeviceId) is not null)
        {
            throw new DirectoryException(DirectoryError.IdTaken, "That device id is in use.");
        }

        _store.DeleteCode(label);
        ulong now = NowMs();
        try
        {
            _store.CreateAccount(
                new Account(record.AccountId, now, Managed: false, TotpSecret: null, TotpEnabled: false),
                label,
                new DirectoryDevice(record.AccountId, device.DeviceId, facts, device.RequestKey, now),
                replaceHandle: true);
        }
        catch (DirectoryConflictException e)
        {
            throw new DirectoryException(DirectoryError.IdTaken, e.Message);
        }

        ChangeReceipt receipt = await PublishAsync([(label, recordBytes, record)]).ConfigureAwait(false);
        Forget(record.AccountId);
        return new Registration(record.AccountId, device.DeviceId, label, receipt);
    }

    // ---- the account as it stands ----

    /// <summary>The account as it stands, or null when there is no such account.</summary>
    public AccountView? View(byte[] accountId) => View(accountId, fresh: false);

    private AccountView? View(byte[] accountId, bool fresh)
    {
        string key = Convert.ToHexString(accountId);
        // A cached view is good only for the generation it was built in: a change bumps the generation before it
        // drops the view, so a view built from state read before the change is never served after it.
        long generation = _generations.GetValueOrDefault(key);
        if (!fresh && _views.TryGetValue(key, out (long Generation, AccountView View) cached) && cached.Generation == generation)
        {
            return cached.View;
        }

        if (_store.Account(accountId) is null)
        {
            return null;
        }

        var records = new Dictionary<string, HandleRecord>(StringComparer.Ordinal);
        foreach (string label in _store.HandlesOf(accountId))
        {
            if (NewestRecord(label) is { } record && record.AccountId.AsSpan().SequenceEqual(accountId))
            {
                records[label] = record;
            }
        }

        HandleRecord? current = records.Values.Where(r => r.State != CkvState.Removed).MaxBy(r => r.Counter);
        HashSet<string> signedIn = current?.Devices.Select(d => Convert.ToHexString(d.DeviceId)).ToHashSet(StringComparer.Ordinal) ?? [];
        var view = new AccountView(
            accountId,
            records,
            current,
            _store.Devices(accountId).Where(d => signedIn.Contains(Convert.ToHexString(d.DeviceId))).ToArray());
        _views[key] = (generation, view);
        return view;
    }

    /// <summary>The request key of a signed-in device of the account, or null (for request authentication).</summary>
    public byte[]? RequestKeyOf(byte[] accountId, byte[] deviceId) => View(accountId)?.RequestKeyOf(deviceId);

    /// <summary>The account, or null.</summary>
    public Account? Account(byte[] accountId) => _store.Account(accountId);

    /// <summary>The account a device row belongs to, or null.</summary>
    public byte[]? DeviceAccount(byte[] deviceId) => _store.Device(deviceId)?.AccountId;

    /// <summary>Every reason the account cannot turn CKV on now (DESIGN §1); empty when it can.</summary>
    public IReadOnlyList<Blocker> Requirements(byte[] accountId)
    {
        Account account = _store.Account(accountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        AccountView view = View(accountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        IEnumerable<byte[]> unreported = (view.Current?.Devices ?? [])
            .Where(d => !view.Devices.Any(known => known.DeviceId.AsSpan().SequenceEqual(d.DeviceId)))
            .Select(d => d.DeviceId);
        return CkvRequirements.Check(account.Managed, account.TotpEnabled, view.Devices, _options.Minimums, unreported);
    }

    /// <summary>Replaces what a device reports about itself.</summary>
    public void UpdateFacts(byte[] accountId, byte[] deviceId, DeviceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (_store.Device(deviceId) is not { } device || !device.AccountId.AsSpan().SequenceEqual(accountId))
        {
            throw new DirectoryException(DirectoryError.NotFound, "No such device in this account.");
        }

        _store.UpdateFacts(deviceId, facts);
        Forget(accountId);
    }

    /// <summary>Marks or unmarks the account holding <paramref name="handle"/> as managed (operator only).</summary>
    public void SetManaged(string handle, bool managed)
    {
        byte[] accountId = _store.AccountOf(Label(handle)) ?? throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        _store.SetManaged(accountId, managed);
    }

    // ---- second factor ----

    /// <summary>Issues a new TOTP secret; the second factor is on once a code for it is confirmed.</summary>
    public (string Base32Secret, string Uri) BeginTwoFactor(byte[] accountId)
    {
        Account account = _store.Account(accountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        if (account.TotpEnabled)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "Two-factor authentication is already on; turn it off first to change the secret.");
        }

        byte[] secret = SecondFactor.NewSecret();
        _store.SetTotp(accountId, secret, enabled: false);
        string name = _store.HandlesOf(accountId) is [var firstHandle, ..] ? firstHandle : Convert.ToHexStringLower(accountId);
        return (SecondFactor.Base32(secret), SecondFactor.Uri(secret, name));
    }

    /// <summary>Turns the second factor on with a code for the issued secret.</summary>
    public void ConfirmTwoFactor(byte[] accountId, string? code)
    {
        Account account = _store.Account(accountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        if (account.TotpSecret is null || account.TotpEnabled)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "No two-factor secret is waiting for confirmation.");
        }

        if (!_secondFactor.Accept(accountId, account.TotpSecret, code))
        {
            throw new DirectoryException(DirectoryError.WrongSecondFactor, "The authenticator code is wrong or already used.");
        }

        _store.SetTotp(accountId, account.TotpSecret, enabled: true);
    }

    /// <summary>
    /// Turns the second factor off with a current code. Refused while CKV is on: it is one of CKV's requirements,
    /// and the second factor authorises an account reset.
    /// </summary>
    public async Task DisableTwoFactorAsync(byte[] accountId, string? code)
    {
        // Under the account's lock with a fresh view, so it cannot slip between a CKV-on change's requirement check
        // and its publication.
        using IDisposable held = await _locks.AcquireAsync("account:" + Convert.ToHexString(accountId)).ConfigureAwait(false);
        Account account = _store.Account(accountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        if (!account.TotpEnabled || account.TotpSecret is null)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "Two-factor authentication is off.");
        }

        if (View(accountId, fresh: true)?.Current?.State == CkvState.On)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "Turn contact key verification off before turning off two-factor authentication.");
        }

        if (!_secondFactor.Accept(accountId, account.TotpSecret, code))
        {
            throw new DirectoryException(DirectoryError.WrongSecondFactor, "The authenticator code is wrong or already used.");
        }

        _store.SetTotp(accountId, null, enabled: false);
    }

    // ---- changes ----

    /// <summary>
    /// Publishes a change an authenticated device of the account asked for, with the new record of every live
    /// handle (for <see cref="Transition.HandleRemoved"/>: only the removed handle's tombstone). Turning CKV on first
    /// checks every requirement and refuses with all blockers. Adding a device names the pending join request
    /// (<paramref name="joinId"/>) whose device the records add: the approving device ran the exchange with it.
    /// </summary>
    public async Task<ChangeReceipt> ChangeAsync(byte[] accountId, byte[] deviceId, Transition transition, IReadOnlyList<byte[]> recordBytes, byte[]? joinId = null)
    {
        ArgumentNullException.ThrowIfNull(recordBytes);
        if (transition is not (Transition.CkvOn or Transition.CkvOff or Transition.DeviceSignedOut or Transition.DeviceRemovedAsLost or Transition.HandleRemoved or Transition.DeviceAdded))
        {
            throw new DirectoryException(DirectoryError.NotAllowed, $"{transition} is not made by a signed-in device.");
        }

        if ((transition == Transition.DeviceAdded) != (joinId is not null))
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "A device is added by approving its join request, and only then is a join request named.");
        }

        using IDisposable held = await _locks.AcquireAsync("account:" + Convert.ToHexString(accountId)).ConfigureAwait(false);
        AccountView view = View(accountId, fresh: true) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        if (view.Current is null || view.RequestKeyOf(deviceId) is null)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "Only a signed-in device of the account changes it.");
        }

        if (transition == Transition.CkvOn && Requirements(accountId) is { Count: > 0 } blockers)
        {
            throw new DirectoryException(DirectoryError.RequirementsNotMet, "Contact key verification cannot be turned on yet.", blockers);
        }

        Authorization authorization = Authorization.AccountDevice;
        JoinRequest? join = null;
        if (joinId is not null)
        {
            join = PendingJoin(joinId, accountId);
            authorization |= Authorization.JoinConfirmed;
            if (view.Current.State == CkvState.On && CkvRequirements.CheckDevice(join.Device, _options.Minimums) is { Count: > 0 } joiner)
            {
                throw new DirectoryException(DirectoryError.RequirementsNotMet, "Contact key verification is on: the joining device must meet its requirements.", joiner);
            }
        }

        List<(string Label, byte[] Bytes, HandleRecord Record)> checkedRecords =
            CheckAll(view, recordBytes, transition, authorization, allLive: transition != Transition.HandleRemoved);
        HandleRecord first = checkedRecords[0].Record;

        if (join is not null)
        {
            // The added device must be the one that asked to join, keys and all; its row goes in before the record
            // names it, so a signed-in device always has reported facts.
            Device added = first.Devices.Single(d => !view.Current.Devices.Any(old => SameDevice(old, d)));
            if (!added.DeviceId.AsSpan().SequenceEqual(join.Device.DeviceId) || !added.RequestKey.AsSpan().SequenceEqual(join.Device.RequestKey) ||
                !added.SigningKey.AsSpan().SequenceEqual(join.SigningKey) || !added.EncryptionKey.AsSpan().SequenceEqual(join.EncryptionKey))
            {
                throw new DirectoryException(DirectoryError.RecordRejected, "The added device is not the one that asked to join.");
            }

            AddDevice(join.Device);
        }

        ChangeReceipt receipt = join is null
            ? await PublishAsync(checkedRecords).ConfigureAwait(false)
            : await PublishRemovingOnFailureAsync(checkedRecords, join.Device.DeviceId).ConfigureAwait(false);
        if (join is not null)
        {
            _relays.SettleJoin(join.JoinId, JoinState.Approved);
        }

        if (transition is Transition.DeviceSignedOut or Transition.DeviceRemovedAsLost)
        {
            // By id: a rotation re-makes every remaining device's possession proof for the new key.
            foreach (Device gone in view.Current.Devices.Where(d => !first.Devices.Any(kept => SameDevice(kept, d))))
            {
                _store.RemoveDevice(gone.DeviceId);
                _relays.ForgetDevice(gone.DeviceId);
            }
        }

        Forget(accountId);
        return receipt;
    }

    // ---- helpers ----

    /// <summary>
    /// Checks new records of an account's handles, each against its handle's newest (§2.5, §2.7), and together: one
    /// record for every live handle (or, when <paramref name="allLive"/> is false, exactly one), all agreeing on
    /// counter, key, chain, state and devices (§2.4).
    /// </summary>
    private static List<(string Label, byte[] Bytes, HandleRecord Record)> CheckAll(
        AccountView view, IReadOnlyList<byte[]> recordBytes, Transition transition, Authorization authorization, bool allLive)
    {
        var checkedRecords = new List<(string Label, byte[] Bytes, HandleRecord Record)>();
        foreach (byte[] bytes in recordBytes)
        {
            string label = LabelOf(bytes);
            if (!view.Records.TryGetValue(label, out HandleRecord? previous))
            {
                throw new DirectoryException(DirectoryError.RecordRejected, $"{label} is not a handle of this account.");
            }

            if (checkedRecords.Any(r => r.Label == label))
            {
                throw new DirectoryException(DirectoryError.RecordRejected, $"Two records for {label}.");
            }

            HandleRecord record = CheckRecord(bytes, label, checked(previous.Version + 1));
            Refuse(() => RecordTransitions.Check(previous, record, transition, authorization));
            checkedRecords.Add((label, bytes, record));
        }

        string[] live = view.LiveHandles.ToArray();
        if (allLive
            ? checkedRecords.Count != live.Length || live.Any(l => checkedRecords.All(r => r.Label != l))
            : checkedRecords.Count != 1)
        {
            throw new DirectoryException(
                DirectoryError.RecordRejected,
                allLive ? $"A change carries one new record for each live handle ({string.Join(", ", live)})." : "Removing a handle publishes its tombstone alone.");
        }

        HandleRecord first = checkedRecords[0].Record;
        if (checkedRecords.Any(r => r.Record.Counter != first.Counter || !r.Record.AccountKey.AsSpan().SequenceEqual(first.AccountKey) ||
                                    !r.Record.Chain.SequenceEqual(first.Chain) || r.Record.State != first.State || !r.Record.Devices.SequenceEqual(first.Devices)))
        {
            throw new DirectoryException(DirectoryError.RecordRejected, "The new records of one account disagree.");
        }

        return checkedRecords;
    }

    private async Task<ChangeReceipt> PublishAsync(List<(string Label, byte[] Bytes, HandleRecord Record)> records)
    {
        PublishedBatch batch;
        try
        {
            batch = await _sequencer.PublishAsync(records.Select(r => (Encoding.UTF8.GetBytes(r.Label), r.Bytes)).ToArray()).ConfigureAwait(false);
        }
        catch (SequencerStoppedException e)
        {
            throw new DirectoryException(DirectoryError.Unavailable, e.Message);
        }

        var versions = new Dictionary<string, uint>(StringComparer.Ordinal);
        for (int i = 0; i < records.Count; i++)
        {
            if (batch.Versions[i] != records[i].Record.Version)
            {
                // Cannot happen while every write to a label holds its lock; if it did, the log now holds a
                // record at a version it does not name, which every reader refuses (§2.5, WrongPlace).
                throw new InvalidOperationException($"{records[i].Label} was published at version {batch.Versions[i]}, not {records[i].Record.Version}.");
            }

            versions[records[i].Label] = batch.Versions[i];
        }

        return new ChangeReceipt(batch.Position, versions);
    }

    /// <summary>
    /// The handle's newest record in the log. Only decoded, not verified again: nothing reaches the log except
    /// through <see cref="CheckRecord"/> and the transition table, and re-verifying two signatures per read was most
    /// of a change's cost.
    /// </summary>
    private HandleRecord? NewestRecord(string label)
    {
        if (_log.Latest(Encoding.UTF8.GetBytes(label)) is not { } latest)
        {
            return null;
        }

        try
        {
            return TlsCodec.Decode<HandleRecord>(latest.Value);
        }
        catch (KtFormatException)
        {
            // A log this directory did not fill (a bulk-loaded benchmark fixture): the label is not a handle here.
            throw new DirectoryException(DirectoryError.NotAllowed, $"The log's value for {label} is not a handle record.");
        }
    }

    private static HandleRecord CheckRecord(byte[] bytes, string label, uint version)
    {
        try
        {
            return RecordCheck.Verify(bytes, Encoding.UTF8.GetBytes(label), version);
        }
        catch (RecordException e)
        {
            throw new DirectoryException(DirectoryError.RecordRejected, $"The record for {label} version {version} is refused: {e.Message}", e.Failure.ToString());
        }
    }

    private static void Refuse(Action check)
    {
        try
        {
            check();
        }
        catch (TransitionException e)
        {
            throw new DirectoryException(DirectoryError.RecordRejected, $"The change is refused: {e.Message}", e.Transition.ToString());
        }
    }

    private static string LabelOf(byte[] recordBytes)
    {
        try
        {
            return Encoding.UTF8.GetString(TlsCodec.Decode<HandleRecord>(recordBytes).Label);
        }
        catch (KtFormatException e)
        {
            throw new DirectoryException(DirectoryError.RecordRejected, $"A record is malformed: {e.Message}", nameof(RecordFailure.Malformed));
        }
    }

    private static string Label(string handle)
    {
        try
        {
            return HandleName.Normalize(handle);
        }
        catch (InvalidHandleException e)
        {
            throw new DirectoryException(DirectoryError.InvalidHandle, e.Message);
        }
    }

    private void Forget(byte[] accountId)
    {
        string key = Convert.ToHexString(accountId);
        _generations.AddOrUpdate(key, 1, (_, generation) => generation + 1);
        _views.TryRemove(key, out _);
    }

    private static bool SameDevice(Device a, Device b) => a.DeviceId.AsSpan().SequenceEqual(b.DeviceId);

    private ulong NowMs() => (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();
}
