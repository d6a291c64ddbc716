using OpenCkv.Directory.Devices;

namespace OpenCkv.Directory.Storage;

/// <summary>An account as the directory keeps it, beside what the log publishes.</summary>
/// <param name="AccountId">16 random bytes, chosen by the account's first device.</param>
/// <param name="CreatedMs">When it was created.</param>
/// <param name="Managed">Set by the operator: CKV is not offered to managed accounts.</param>
/// <param name="TotpSecret">The second factor's shared secret once one was issued (RFC 6238), or null.</param>
/// <param name="TotpEnabled">True once the person proved a code for <paramref name="TotpSecret"/>.</param>
public sealed record Account(byte[] AccountId, ulong CreatedMs, bool Managed, byte[]? TotpSecret, bool TotpEnabled);

/// <summary>An account with its handles (in the order they were added) and its device rows.</summary>
public sealed record AccountRows(Account Account, IReadOnlyList<string> Handles, IReadOnlyList<DirectoryDevice> Devices);

/// <summary>A one-time code sent to prove control of a handle, stored as its hash.</summary>
public sealed record HandleCode(string Label, byte[] CodeHash, ulong ExpiresMs, int Attempts);

/// <summary>A session token's record: the device it stands for and when it expires.</summary>
public sealed record Session(byte[] AccountId, byte[] DeviceId, ulong ExpiresMs);

/// <summary>A write refused because it would break a uniqueness rule (a handle or id already taken).</summary>
public sealed class DirectoryConflictException(string message) : Exception(message);

/// <summary>
/// Where the directory keeps what the log does not publish: accounts, which account holds which handle, the
/// devices' reported facts and request keys, one-time codes and sessions. Records themselves live only in the
/// log. Every method is one transaction.
/// </summary>
public interface IDirectoryStore
{
    /// <summary>The account, or null.</summary>
    Account? Account(byte[] accountId);

    /// <summary>
    /// Creates an account holding <paramref name="label"/> with its first device. When <paramref name="replaceHandle"/>
    /// is true, a row giving the handle to another account is replaced (the directory passes true only when the
    /// log holds no live record for the handle: a tombstone, or a registration that never reached the log).
    /// </summary>
    /// <exception cref="DirectoryConflictException">The account or device id, or the handle, is taken.</exception>
    void CreateAccount(Account account, string label, DirectoryDevice device, bool replaceHandle);

    /// <summary>Deletes an account with its handle rows, devices and sessions.</summary>
    void DeleteAccount(byte[] accountId);

    /// <summary>The account holding the handle, or null.</summary>
    byte[]? AccountOf(string label);

    /// <summary>The account's handles, in the order they were added.</summary>
    IReadOnlyList<string> HandlesOf(byte[] accountId);

    /// <summary>The device, or null.</summary>
    DirectoryDevice? Device(byte[] deviceId);

    /// <summary>The account's device rows (signed in or waiting to be).</summary>
    IReadOnlyList<DirectoryDevice> Devices(byte[] accountId);

    /// <summary>
    /// The account with its handles and device rows, or null: what an account view is built from, read together
    /// (a networked store does it in one round trip; it is on the path of every change).
    /// </summary>
    AccountRows? AccountWithRows(byte[] accountId) =>
        Account(accountId) is { } account ? new AccountRows(account, HandlesOf(accountId), Devices(accountId)) : null;

    /// <summary>
    /// <see cref="AccountWithRows"/> for the request path, where a networked store must not hold a thread while the
    /// database answers. An embedded store answers at once.
    /// </summary>
    Task<AccountRows?> AccountWithRowsAsync(byte[] accountId) => Task.FromResult(AccountWithRows(accountId));

    /// <summary>Adds a device to an existing account (a join, or the new device of a reset).</summary>
    /// <exception cref="DirectoryConflictException">The device id is taken.</exception>
    void AddDevice(DirectoryDevice device);

    /// <summary>Replaces a device's reported facts.</summary>
    void UpdateFacts(byte[] deviceId, DeviceFacts facts);

    /// <summary>Deletes a device row and its sessions.</summary>
    void RemoveDevice(byte[] deviceId);

    /// <summary>Sets the account's second factor.</summary>
    void SetTotp(byte[] accountId, byte[]? secret, bool enabled);

    /// <summary>Sets the operator's managed flag.</summary>
    void SetManaged(byte[] accountId, bool managed);

    /// <summary>Stores a fresh one-time code for a handle, replacing an earlier one.</summary>
    void PutCode(HandleCode code);

    /// <summary>The handle's pending code, or null.</summary>
    HandleCode? Code(string label);

    /// <summary>
    /// Counts one attempt against the handle's code, atomically, and returns the attempts made so far with this one
    /// (0 when no code is pending). Counting before comparing means concurrent guesses cannot all pass the limit.
    /// </summary>
    int TakeCodeAttempt(string label);

    /// <summary>Deletes the handle's code (used or expired).</summary>
    void DeleteCode(string label);

    /// <summary>Stores a session under the hash of its token.</summary>
    void PutSession(byte[] tokenHash, Session session);

    /// <summary>The session, or null.</summary>
    Session? Session(byte[] tokenHash);
}
