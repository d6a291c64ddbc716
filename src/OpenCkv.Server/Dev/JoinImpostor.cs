using System.Collections.Concurrent;
using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Directory;
using OpenCkv.Directory.Devices;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Server.Dev;

/// <summary>
/// The server taking a side in a keychain join (docs/ckv-protocol.md §6.2), as the two join scenarios need:
/// <c>server-join</c>, a device of the server's own asking to join an account and answering the exchange as an
/// honest joining device would, so that only the person's confirmation stands between it and the circle; and
/// <c>fake-approver</c>, the server answering a real joining device in the name of the account's device and then
/// "approving" it with a record the account key never signed. It reacts to the exchange's messages as the relay
/// receives them.
/// </summary>
internal sealed class JoinImpostor(DirectoryService directory, AttackerKeys attacker)
{
    private readonly ConcurrentDictionary<string, string> _approveFor = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeJoiner> _joiners = new(StringComparer.Ordinal);

    /// <summary><c>fake-approver</c>: joins to <paramref name="handle"/>'s account are answered by the server.</summary>
    public void ApproveJoinsOf(string handle)
    {
        HandleRecord newest = directory.DevNewestRecord(handle);
        _approveFor[Convert.ToHexStringLower(newest.AccountId)] = handle;
    }

    /// <summary><c>server-join</c>: a device of the server's asks to join <paramref name="handle"/>'s account and commits; its id.</summary>
    public async Task<byte[]> JoinAsync(string handle)
    {
        HandleRecord newest = directory.DevNewestRecord(handle);
        byte[] deviceId = RandomNumberGenerator.GetBytes(Device.IdSize);
        var signing = EcdsaP256PrivateKey.Generate();
        using var request = EcdsaP256PrivateKey.Generate();
        byte[] encryption = attacker.NewKeyFor(newest.AccountId, deviceId);
        byte[] requestKey = request.PublicKey.Encoded.ToArray();
        var facts = new DeviceFacts("new phone", Platform.Phone, new Version(17, 2), DeviceFacts.CurrentProtocolVersion, Passcode: true, Keychain: true);
        JoinTicket ticket = await directory.DevStartJoinAsync(handle, facts, deviceId, signing.PublicKey.Encoded.ToArray(), encryption, requestKey).ConfigureAwait(false);
        byte[] nonce = RandomNumberGenerator.GetBytes(ComparisonCode.NonceSize);
        _joiners[Convert.ToHexStringLower(ticket.JoinId)] = new FakeJoiner(ticket, deviceId, signing, encryption, requestKey, nonce);
        directory.PostJoinMessage(ticket.JoinId, ticket.Token, null, TlsCodec.Encode(JoinStep.Commit(JoinExchange.Commit(signing.PublicKey.Encoded.ToArray(), deviceId, nonce))));
        return deviceId;
    }

    /// <summary>Stops both scenarios (joins already started stay as they are).</summary>
    public void Stop()
    {
        _approveFor.Clear();
        _joiners.Clear();
    }

    /// <summary>A message the relay just took for a join exchange: the server answers it when it plays a side.</summary>
    public async Task OnMessageAsync(byte[] joinId, bool fromJoiner, byte[] body)
    {
        if ((_approveFor.IsEmpty && _joiners.IsEmpty) || Wire.TryDecode<JoinStep>(body) is not { } step)
        {
            return;
        }

        string id = Convert.ToHexStringLower(joinId);
        if (!fromJoiner && step.Step == 2 && _joiners.TryRemove(id, out FakeJoiner? joiner))
        {
            // The approving device answered: open, with an entry whose possession proof is valid for the account key.
            Device entry = Device.Create(joiner.Ticket.AccountId, step.AccountKey, joiner.DeviceId, joiner.Signing, joiner.Encryption, joiner.RequestKey);
            joiner.Signing.Dispose();
            directory.PostJoinMessage(joinId, joiner.Ticket.Token, null, TlsCodec.Encode(JoinStep.Open(joiner.Nonce, entry)));
            return;
        }

        if (!fromJoiner || directory.PendingJoinAccount(joinId) is not { } account || !_approveFor.TryGetValue(Convert.ToHexStringLower(account), out string? handle))
        {
            return;
        }

        HandleRecord newest = directory.DevNewestRecord(handle);
        if (step.Step == 1)
        {
            // In the name of the account's first device: the real account key, the real device id, a nonce of its own.
            directory.PostJoinMessage(joinId, null, account, TlsCodec.Encode(JoinStep.Answer(newest.AccountKey, newest.Devices[0].DeviceId, RandomNumberGenerator.GetBytes(ComparisonCode.NonceSize))));
        }
        else if (step.Step == 3 && step.Entry is { } entry)
        {
            // "Approved": a record with the joiner in it that no account key signed.
            await directory.DevAdmitJoinForgedAsync(joinId, handle, entry).ConfigureAwait(false);
        }
    }

    private sealed record FakeJoiner(JoinTicket Ticket, byte[] DeviceId, EcdsaP256PrivateKey Signing, byte[] Encryption, byte[] RequestKey, byte[] Nonce);
}
