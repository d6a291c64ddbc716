using OpenCkv.Directory.Publishing;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Directory;

public sealed partial class DirectoryService
{
    // Development servers only: the malicious-server scenarios (`POST /dev/misbehave`).

    /// <summary>
    /// DEVELOPMENT ONLY — a lying server. Publishes, as the next version of <paramref name="handle"/>, the record
    /// <paramref name="forge"/> makes from the handle's newest one, WITHOUT the record checks (§2.5) or the
    /// transition table (§2.7) that every other path applies: nobody authorised it, and its signature need not
    /// verify. It goes in at the next version whatever version it names (one naming another is a replay). The
    /// forged record becomes the handle's newest, so the directory keeps its story straight: searches serve it as
    /// the greatest version and the account's view reads it. Only the `--dev` server's <c>/dev/misbehave</c> calls
    /// this, so that clients can be tested against a server that lies.
    /// </summary>
    /// <param name="handle">The handle whose record is forged.</param>
    /// <param name="forge">Makes the forged record from the handle's newest; it must carry the same label.</param>
    /// <returns>The forged record as published, and where.</returns>
    /// <exception cref="DirectoryException">No account holds the handle, or the log takes no changes here.</exception>
    public async Task<(HandleRecord Record, ChangeReceipt Receipt)> DevPublishForgedAsync(string handle, Func<HandleRecord, HandleRecord> forge)
    {
        ArgumentNullException.ThrowIfNull(forge);
        RequireWriter();
        string label = Label(handle);
        byte[] accountId = _store.AccountOf(label) ?? throw new DirectoryException(DirectoryError.NotFound, "No account holds that handle.");
        using IDisposable held = await _locks.AcquireAsync("account:" + Convert.ToHexString(accountId)).ConfigureAwait(false);
        HandleRecord newest = NewestRecord(label) ?? throw new DirectoryException(DirectoryError.NotFound, "That handle has no record in the log.");
        HandleRecord forged = forge(newest);
        if (!forged.Label.AsSpan().SequenceEqual(newest.Label))
        {
            throw new InvalidOperationException("A forged record carries the label it is published under.");
        }

        ChangeReceipt receipt = await PublishAsync([(label, TlsCodec.Encode(forged), forged with { Version = checked(newest.Version + 1) })]).ConfigureAwait(false);
        Forget(accountId);
        if (!forged.AccountId.AsSpan().SequenceEqual(accountId))
        {
            Forget(forged.AccountId);
        }

        return (forged, receipt);
    }

    /// <summary>DEVELOPMENT ONLY — the newest record of <paramref name="handle"/>, as the directory serves it.</summary>
    /// <exception cref="DirectoryException">No account holds the handle.</exception>
    public HandleRecord DevNewestRecord(string handle) =>
        NewestRecord(Label(handle)) ?? throw new DirectoryException(DirectoryError.NotFound, "That handle has no record in the log.");
}
