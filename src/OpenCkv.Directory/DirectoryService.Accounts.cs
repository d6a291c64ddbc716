using OpenCkv.Directory.Accounts;
using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Storage;
using OpenCkv.Protocol;

namespace OpenCkv.Directory;

public sealed partial class DirectoryService
{
    // The account as it stands, its settings and its second factor.

    /// <summary>The account as it stands, or null when there is no such account.</summary>
    public AccountView? View(byte[] accountId) => View(accountId, fresh: false);

    private AccountView? View(byte[] accountId, bool fresh)
    {
        string key = Convert.ToHexString(accountId);
        if (Cached(key, fresh, out long generation, out long epoch) is { } cached)
        {
            return cached;
        }

        return _store.AccountWithRows(accountId) is { } rows ? Build(accountId, key, generation, epoch, rows) : null;
    }

    /// <summary><see cref="View(byte[], bool)"/> without holding a thread while a networked store answers.</summary>
    private async ValueTask<AccountView?> ViewAsync(byte[] accountId, bool fresh)
    {
        string key = Convert.ToHexString(accountId);
        if (Cached(key, fresh, out long generation, out long epoch) is { } cached)
        {
            return cached;
        }

        return await _store.AccountWithRowsAsync(accountId).ConfigureAwait(false) is { } rows ? Build(accountId, key, generation, epoch, rows) : null;
    }

    /// <summary>
    /// The cached view, when one may answer. A cached view is good only for the generation it was built in: a change
    /// bumps the generation before it drops the view, so a view built from state read before the change is never
    /// served after it. The generation and epoch are read before the store, for the view built from it.
    /// </summary>
    private AccountView? Cached(string key, bool fresh, out long generation, out long epoch)
    {
        generation = _generations.GetValueOrDefault(key);
        epoch = Interlocked.Read(ref _viewEpoch);
        return !fresh && _views.TryGetValue(key, out (long Generation, long Epoch, AccountView View) cached) && cached.Generation == generation && cached.Epoch == epoch
            ? cached.View
            : null;
    }

    private AccountView Build(byte[] accountId, string key, long generation, long epoch, AccountRows rows)
    {
        var records = new Dictionary<string, HandleRecord>(StringComparer.Ordinal);
        foreach (string label in rows.Handles)
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
            rows.Devices.Where(d => signedIn.Contains(Convert.ToHexString(d.DeviceId))).ToArray(),
            rows.Account);
        _views[key] = (generation, epoch, view);
        return view;
    }

    /// <summary>
    /// The request key of a signed-in device of the account, or null (for request authentication), without holding
    /// a thread while a networked store answers.
    /// </summary>
    public async ValueTask<byte[]?> RequestKeyOfAsync(byte[] accountId, byte[] deviceId) =>
        (await ViewAsync(accountId, fresh: false).ConfigureAwait(false))?.RequestKeyOf(deviceId);

    /// <summary>The account, or null.</summary>
    public Account? Account(byte[] accountId) => _store.Account(accountId);

    /// <summary>The account a device row belongs to, or null.</summary>
    public byte[]? DeviceAccount(byte[] deviceId) => _store.Device(deviceId)?.AccountId;

    /// <summary>Every reason the account cannot turn CKV on now (DESIGN §1); empty when it can.</summary>
    public IReadOnlyList<Blocker> Requirements(byte[] accountId)
    {
        Account account = _store.Account(accountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        AccountView view = View(accountId) ?? throw new DirectoryException(DirectoryError.NotFound, "No such account.");
        return RequirementsOf(account, view);
    }

    /// <summary>The blockers of <paramref name="view"/>'s account, whose row is <paramref name="account"/>.</summary>
    private IReadOnlyList<Blocker> RequirementsOf(Account account, AccountView view)
    {
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
}
