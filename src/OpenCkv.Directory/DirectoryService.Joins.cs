using System.Security.Cryptography;
using OpenCkv.Directory.Accounts;
using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Publishing;
using OpenCkv.Directory.Storage;
using OpenCkv.Protocol;

namespace OpenCkv.Directory;

/// <summary>A join request as its device knows it: the id, the token for the join channel, the account.</summary>
public sealed record JoinTicket(byte[] JoinId, string Token, byte[] AccountId);

public sealed partial class DirectoryService
{
    /// <summary>How long a join request waits for approval.</summary>
    public static readonly TimeSpan JoinLifetime = TimeSpan.FromHours(1);

    /// <summary>Messages a join exchange may hold; the exchange needs three.</summary>
    public const int MaxJoinMessages = 16;

    /// <summary>
    /// A new device asks to join the account holding <paramref name="handle"/> (docs/ckv-protocol.md §6.2): after
    /// the handle's one-time code and, when the account has one, its second factor. The device waits, unsigned-in,
    /// until a signed-in device runs the exchange and publishes a record that adds it.
    /// </summary>
    public Task<JoinTicket> StartJoinAsync(string handle, string? code, string? secondFactor, DeviceFacts facts, byte[] deviceId, byte[] signingKey, byte[] encryptionKey, byte[] requestKey) =>
        StartJoin(handle, code, secondFactor, facts, deviceId, signingKey, encryptionKey, requestKey, checkProofs: true);

    /// <summary>
    /// DEVELOPMENT ONLY — a lying server. Starts a join request for a device of the server's own without the
    /// handle's code or the second factor (a server holds both anyway); the account's devices then see it waiting
    /// like any other (the malicious-server scenario <c>server-join</c>).
    /// </summary>
    public Task<JoinTicket> DevStartJoinAsync(string handle, DeviceFacts facts, byte[] deviceId, byte[] signingKey, byte[] encryptionKey, byte[] requestKey) =>
        StartJoin(handle, null, null, facts, deviceId, signingKey, encryptionKey, requestKey, checkProofs: false);

    /// <summary>
    /// DEVELOPMENT ONLY — a lying server. Settles a join as approved by publishing, as the handle's next version,
    /// its newest record with <paramref name="entry"/> added and the old signature kept (no account key signed
    /// it), after adding the joining device's row so it can sign in (the scenario <c>fake-approver</c>).
    /// </summary>
    public async Task DevAdmitJoinForgedAsync(byte[] joinId, string handle, Device entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        JoinRequest join = _relays.Join(joinId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such join request.");
        AddDevice(join.Device);
        await DevPublishForgedAsync(handle, newest => newest with
        {
            Version = checked(newest.Version + 1),
            Counter = checked(newest.Counter + 1),
            PreviousRecordHash = newest.Hash(),
            Devices = [.. newest.Devices, entry],
        }).ConfigureAwait(false);
        _relays.SettleJoin(joinId, JoinState.Approved);
    }

    private Task<JoinTicket> StartJoin(
        string handle, string? code, string? secondFactor, DeviceFacts facts, byte[] deviceId, byte[] signingKey, byte[] encryptionKey, byte[] requestKey, bool checkProofs)
    {
        ArgumentNullException.ThrowIfNull(facts);
        string label = Label(handle);
        byte[] accountId = _store.AccountOf(label) ?? throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        AccountView view = View(accountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        if (view.Current is null || !view.LiveHandles.Contains(label))
        {
            throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        }

        foreach (byte[] key in (byte[][])[signingKey, encryptionKey, requestKey])
        {
            if (!Crypto.Signatures.EcdsaP256PublicKey.TryParse(key, out _))
            {
                throw new DirectoryException(DirectoryError.Malformed, "A device key is not a P-256 public key (SEC1 uncompressed).");
            }
        }

        if (deviceId.Length != Device.IdSize || _store.Device(deviceId) is not null || view.Current.Devices.Any(d => d.DeviceId.AsSpan().SequenceEqual(deviceId)))
        {
            throw new DirectoryException(DirectoryError.IdTaken, "That device id is in use.");
        }

        if (checkProofs)
        {
            CheckCode(label, code);
            RequireSecondFactor(accountId, secondFactor);
            _store.DeleteCode(label);
        }

        byte[] token = RandomNumberGenerator.GetBytes(32);
        var join = new JoinRequest(
            RandomNumberGenerator.GetBytes(16),
            accountId,
            new DirectoryDevice(accountId, deviceId, facts, requestKey, NowMs()),
            signingKey,
            encryptionKey,
            SHA256.HashData(token),
            NowMs(),
            JoinState.Pending);

        // Requests past their lifetime are of no use to anyone (a joiner polls only while its request lives): each
        // new request sweeps those older than two lifetimes, so the table holds about an hour's worth.
        _relays.DeleteJoinsCreatedBefore(NowMs() - Math.Min(NowMs(), (ulong)(2 * JoinLifetime.TotalMilliseconds)));
        _relays.PutJoin(join);
        return Task.FromResult(new JoinTicket(join.JoinId, System.Buffers.Text.Base64Url.EncodeToString(token), accountId));
    }

    /// <summary>DEVELOPMENT ONLY — the account a waiting join request is for, or null.</summary>
    public byte[]? PendingJoinAccount(byte[] joinId) => _relays.Join(joinId) is { State: JoinState.Pending } join && !Expired(join) ? join.AccountId : null;

    /// <summary>The account's join requests still waiting.</summary>
    public IReadOnlyList<JoinRequest> PendingJoins(byte[] accountId) =>
        _relays.PendingJoins(accountId).Where(j => !Expired(j)).ToArray();

    /// <summary>
    /// Adds a message to a join exchange, from the joining device (proved by its token) or from a signed-in device of
    /// the account (<paramref name="approverAccount"/>).
    /// </summary>
    public long PostJoinMessage(byte[] joinId, string? token, byte[]? approverAccount, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        JoinRequest join = JoinFor(joinId, token, approverAccount);
        if (join.State != JoinState.Pending)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "The join request is settled.");
        }

        if (_relays.JoinMessages(joinId, 0).Count >= MaxJoinMessages)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "The join exchange holds no more messages.");
        }

        return _relays.AddJoinMessage(joinId, fromJoiner: token is not null, body);
    }

    /// <summary>The join's state and its exchange after <paramref name="afterSequence"/>, for either side.</summary>
    public (JoinRequest Join, IReadOnlyList<JoinMessage> Messages) JoinExchange(byte[] joinId, string? token, byte[]? approverAccount, long afterSequence)
    {
        JoinRequest join = JoinFor(joinId, token, approverAccount);
        return (join, _relays.JoinMessages(joinId, afterSequence));
    }

    /// <summary>A signed-in device refuses a join request.</summary>
    public async Task RefuseJoinAsync(byte[] joinId, byte[] approverAccount)
    {
        // Under the account's lock, so a refusal and an approval of one request never both go through.
        using IDisposable held = await _locks.AcquireAsync("account:" + Convert.ToHexString(approverAccount)).ConfigureAwait(false);
        JoinFor(joinId, null, approverAccount);
        if (!_relays.SettleJoin(joinId, JoinState.Refused))
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "The join request is settled.");
        }
    }

    private JoinRequest JoinFor(byte[] joinId, string? token, byte[]? approverAccount)
    {
        JoinRequest join = _relays.Join(joinId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such join request.");
        bool joiner = token is not null && TokenMatches(token, join.TokenHash);
        bool approver = approverAccount is not null && join.AccountId.AsSpan().SequenceEqual(approverAccount);
        if (!joiner && !approver)
        {
            throw new DirectoryException(DirectoryError.NotFound, "No such join request.");
        }

        return join;
    }

    private static bool TokenMatches(string token, byte[] hash)
    {
        try
        {
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(System.Buffers.Text.Base64Url.DecodeFromChars(token)), hash);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private JoinRequest PendingJoin(byte[] joinId, byte[] accountId)
    {
        JoinRequest join = _relays.Join(joinId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such join request.");
        if (!join.AccountId.AsSpan().SequenceEqual(accountId) || join.State != JoinState.Pending || Expired(join))
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "The join request is not pending for this account.");
        }

        return join;
    }

    private bool Expired(JoinRequest join) => join.CreatedMs + (ulong)JoinLifetime.TotalMilliseconds <= NowMs();

    /// <summary>
    /// The second factor, when the account has one turned on. An account without one can have had CKV off only
    /// (the second factor is a requirement and cannot be turned off while CKV is on), so its handle code suffices.
    /// </summary>
    private void RequireSecondFactor(byte[] accountId, string? code)
    {
        Account account = _store.Account(accountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        if (account.TotpEnabled && (account.TotpSecret is null || !_secondFactor.Accept(accountId, account.TotpSecret, code)))
        {
            throw new DirectoryException(DirectoryError.WrongSecondFactor, "The account's authenticator code is missing, wrong or already used.");
        }
    }

    /// <summary>Publishes; if the log refused, the device row added for it goes again, so the id can be used later.</summary>
    private async Task<ChangeReceipt> PublishRemovingOnFailureAsync(List<(string Label, byte[] Bytes, HandleRecord Record)> records, byte[] addedDevice)
    {
        try
        {
            return await PublishAsync(records).ConfigureAwait(false);
        }
        catch (DirectoryException e) when (e.Error is DirectoryError.Unavailable or DirectoryError.ReadReplica)
        {
            _store.RemoveDevice(addedDevice);
            throw;
        }
    }

    private void AddDevice(DirectoryDevice device)
    {
        try
        {
            _store.AddDevice(device);
        }
        catch (DirectoryConflictException e)
        {
            throw new DirectoryException(DirectoryError.IdTaken, e.Message);
        }
    }

    // ---- account reset and deletion ----

    /// <summary>
    /// What a device resetting an account needs to continue its records (§2.7, account reset): the account id and the
    /// newest record of every live handle. Asked with the handle's code, which this checks without spending (each
    /// attempt counts) — the records are what any searching device sees in the log, and the reset itself then needs
    /// the code and the second factor.
    /// </summary>
    public (byte[] AccountId, IReadOnlyList<HandleRecord> Records) PrepareReset(string handle, string? code)
    {
        string label = Label(handle);
        byte[] accountId = _store.AccountOf(label) ?? throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        CheckCode(label, code);
        AccountView view = View(accountId, fresh: true) ?? throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        return (accountId, view.LiveHandles.Order(StringComparer.Ordinal).Select(l => view.Records[l]).ToArray());
    }

    /// <summary>
    /// Resets an account whose devices are all lost (§2.7, last row): the handle's one-time code and the account's
    /// second factor authorise new records of every live handle with a new account key, an empty chain and the
    /// resetting device alone — the only key change not cross-signed, which every contact who saw CKV on is warned
    /// about. The old devices are signed out.
    /// </summary>
    public async Task<ChangeReceipt> ResetAsync(string handle, string? code, string? secondFactor, DeviceFacts facts, IReadOnlyList<byte[]> recordBytes)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(recordBytes);
        RequireWriter();
        string label = Label(handle);
        byte[] accountId = _store.AccountOf(label) ?? throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        using IDisposable held = await _locks.AcquireAsync("account:" + Convert.ToHexString(accountId)).ConfigureAwait(false);
        AccountView view = View(accountId, fresh: true) ?? throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        if (view.Current is null)
        {
            throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        }

        CheckCode(label, code);
        RequireSecondFactor(accountId, secondFactor);
        List<(string Label, byte[] Bytes, HandleRecord Record)> records = CheckAll(view, recordBytes, Transition.AccountReset, Authorization.HandleCode | Authorization.SecondFactor, allLive: true);
        Device newcomer = records[0].Record.Devices.Count == 1
            ? records[0].Record.Devices[0]
            : throw new DirectoryException(DirectoryError.RecordRejected, "A reset record lists the resetting device alone.");
        var newDevice = new DirectoryDevice(accountId, newcomer.DeviceId, facts, newcomer.RequestKey, NowMs());
        if (view.Current.State == CkvState.On && CkvRequirements.CheckDevice(newDevice, _options.Minimums) is { Count: > 0 } blockers)
        {
            throw new DirectoryException(DirectoryError.RequirementsNotMet, "Contact key verification is on: the new device must meet its requirements.", blockers);
        }

        _store.DeleteCode(label);
        AddDevice(newDevice);
        ChangeReceipt receipt = await PublishRemovingOnFailureAsync(records, newDevice.DeviceId).ConfigureAwait(false);
        foreach (Device gone in view.Current.Devices)
        {
            _store.RemoveDevice(gone.DeviceId);
            _relays.ForgetDevice(gone.DeviceId);
        }

        Forget(accountId);
        return receipt;
    }

    /// <summary>
    /// Deletes an account: a signed-in device publishes the tombstone of every live handle (§2.7, handle removed),
    /// then the account's rows go. The handles can be registered again afterwards.
    /// </summary>
    public async Task<ChangeReceipt> DeleteAccountAsync(byte[] accountId, byte[] deviceId, IReadOnlyList<byte[]> tombstones)
    {
        ArgumentNullException.ThrowIfNull(tombstones);
        RequireWriter();
        using IDisposable held = await _locks.AcquireAsync("account:" + Convert.ToHexString(accountId)).ConfigureAwait(false);
        AccountView view = View(accountId, fresh: true) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        if (view.Current is null || view.RequestKeyOf(deviceId) is null)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, "Only a signed-in device of the account deletes it.");
        }

        List<(string Label, byte[] Bytes, HandleRecord Record)> records = CheckAll(view, tombstones, Transition.HandleRemoved, Authorization.AccountDevice, allLive: true);
        ChangeReceipt receipt = await PublishAsync(records).ConfigureAwait(false);
        foreach (Device gone in view.Current.Devices)
        {
            _relays.ForgetDevice(gone.DeviceId);
        }

        _store.DeleteAccount(accountId);
        Forget(accountId);
        return receipt;
    }
}
