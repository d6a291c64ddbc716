namespace OpenCkv.Directory.Authentication;

/// <summary>
/// Where servers sharing a database record the nonces of the signed requests they accepted, so that a request
/// accepted by one is refused as a replay by every other (docs/ckv-protocol.md §3).
/// </summary>
public interface INonceLedger
{
    /// <summary>
    /// Records <paramref name="nonce"/> until <paramref name="expiresMs"/>; false when it is recorded already. Expired
    /// nonces (before <paramref name="nowMs"/>) may be forgotten. Asynchronous: on the path of every signed request,
    /// a caller waiting for the database must not hold a thread.
    /// </summary>
    Task<bool> SpendAsync(byte[] nonce, long expiresMs, long nowMs);
}
