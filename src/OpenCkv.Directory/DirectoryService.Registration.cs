using System.Security.Cryptography;
using System.Text;
using OpenCkv.Directory.Devices;
using OpenCkv.Directory.Publishing;
using OpenCkv.Directory.Storage;
using OpenCkv.Protocol;

namespace OpenCkv.Directory;

public sealed partial class DirectoryService
{
    // Handle codes and registration.

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
        RequireWriter();
        string label = Label(handle);
        using IDisposable held = await _locks.AcquireAsync("handle:" + label).ConfigureAwait(false);
        HandleRecord? previous = NewestRecord(label);
        if (previous is not null && previous.State != CkvState.Removed)
        {
            throw new DirectoryException(DirectoryError.HandleTaken, $"{label} belongs to an account; add a device to it by joining instead.");
        }

        CheckCode(label, code);
        HandleRecord record = CheckRecord(recordBytes, label, previous is null ? 0 : checked(previous.Version + 1), previous);
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
}
