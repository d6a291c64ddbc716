namespace OpenCkv.Protocol;

/// <summary>
/// The join exchange (DESIGN §5, docs/ckv-protocol.md §6.2): a device joining an account and a device already in
/// it run the comparison's commit-then-reveal order under their own context strings — the joining device commits
/// to its signing key, device id and nonce; the approving device answers with the account key, its device id and
/// nonce; the joining device opens — and both show an 8-digit join code the person confirms on the approving
/// device. The transcript hash binds the keychain the approving device then sends to this exchange.
/// </summary>
public static class JoinExchange
{
    /// <summary>The joining device's commitment (it plays the initiator, with its own signing key).</summary>
    public static byte[] Commit(byte[] joiningSigningKey, byte[] joiningDeviceId, byte[] nonce) =>
        ComparisonCode.Commit(Contexts.JoinCommitment, ComparisonRole.Initiator, joiningSigningKey, joiningDeviceId, nonce);

    /// <summary>True when the joining device's opening matches its commitment.</summary>
    public static bool Opens(byte[] commitment, byte[] joiningSigningKey, byte[] joiningDeviceId, byte[] nonce) =>
        ComparisonCode.Opens(Contexts.JoinCommitment, commitment, joiningSigningKey, joiningDeviceId, nonce);

    /// <summary>The join code both devices show.</summary>
    public static string Code(byte[] joiningSigningKey, byte[] joiningDeviceId, byte[] joiningNonce, byte[] accountKey, byte[] approvingDeviceId, byte[] approvingNonce) =>
        ComparisonCode.Code(Contexts.JoinCode, joiningSigningKey, joiningDeviceId, joiningNonce, accountKey, approvingDeviceId, approvingNonce);

    /// <summary>The transcript hash: SHA-256 of the commitment followed by both openings, as the code orders them.</summary>
    public static byte[] Transcript(byte[] commitment, byte[] joiningSigningKey, byte[] joiningDeviceId, byte[] joiningNonce, byte[] accountKey, byte[] approvingDeviceId, byte[] approvingNonce)
    {
        var writer = new KeyTransparency.Tls.TlsWriter();
        writer.WriteFixed(commitment, 32);
        writer.WriteFixed(joiningSigningKey, Device.KeySize);
        writer.WriteFixed(joiningDeviceId, Device.IdSize);
        writer.WriteFixed(joiningNonce, ComparisonCode.NonceSize);
        writer.WriteFixed(accountKey, Device.KeySize);
        writer.WriteFixed(approvingDeviceId, Device.IdSize);
        writer.WriteFixed(approvingNonce, ComparisonCode.NonceSize);
        return System.Security.Cryptography.SHA256.HashData(writer.WrittenSpan);
    }
}
