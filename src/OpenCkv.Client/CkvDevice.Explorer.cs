using System.Globalization;
using System.Text;
using OpenCkv.Client.Verification;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Client;

/// <summary>One check of a verified search, in words: what was checked and what it showed.</summary>
public sealed record SearchStep(string Check, string Showed);

/// <summary>
/// A search verified from nothing but the pinned configuration, explained step by step: the head it ended at, the
/// auditor's head (third-party auditing), the version found, the record and each check in order.
/// </summary>
public sealed record SearchExplanation(ulong TreeSize, ulong Timestamp, AuditorTreeHead? AuditorHead, uint Version, HandleRecord Record, IReadOnlyList<SearchStep> Steps);

public sealed partial class CkvDevice
{
    /// <summary>The log as the server describes it: mode, configuration fingerprint, size (not verified: a listing).</summary>
    public async Task<LogInfoMessage> LogInfoAsync(CancellationToken cancellation = default) =>
        await Call(() => _api.LogAsync<LogInfoMessage>("/v1/log/", cancellation)).ConfigureAwait(false);

    /// <summary>A page of the log's entries as the server lists them (timestamps, distinguished or not; not verified).</summary>
    public async Task<EntriesPage> LogEntriesAsync(ulong from, int limit, CancellationToken cancellation = default) =>
        await Call(() => _api.LogAsync<EntriesPage>(string.Create(CultureInfo.InvariantCulture, $"/v1/log/entries?from={from}&limit={limit}"), cancellation)).ConfigureAwait(false);

    /// <summary>
    /// The log explorer's search: a greatest-version search for <paramref name="handle"/> (KT §13.1) verified with no
    /// retained state, so every proof is checked from the pinned configuration alone, then the record's own checks
    /// (docs/ckv-protocol.md §2.5). Nothing the device holds changes: no pin, no state, no alert — it is a look, not
    /// a verification of a contact.
    /// </summary>
    /// <exception cref="CkvException"><c>proof-failed</c> naming the check that failed; <c>unavailable</c> when the
    /// log proves no record; or the server's refusal.</exception>
    public async Task<SearchExplanation> ExplainSearchAsync(string handle, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(handle);
        byte[] label = Encoding.UTF8.GetBytes(handle);
        var request = new SearchRequest(null, label, null);
        byte[] answer = await Call(() => _api.KtAsync("search", TlsCodec.Encode(request), Credentials, cancellation)).ConfigureAwait(false);
        try
        {
            SearchResponse response = KtMessages.DecodeSearch(answer, versionRequested: false, Configuration.Mode);
            VerifiedSearch verified = SearchVerifier.VerifyGreatestVersion(_suite, Configuration, null, request, response, NowMs);
            HandleRecord record = RecordCheck.Verify(verified.Value.Value, label, verified.Version);
            return Explain(handle, response, verified, record);
        }
        catch (Exception e) when (e is KtFormatException or KtVerificationException or RecordException)
        {
            throw new CkvException("proof-failed", $"The log's answer for {handle} did not verify: {e.Message}", e);
        }
    }

    private SearchExplanation Explain(string handle, SearchResponse response, VerifiedSearch verified, HandleRecord record)
    {
        FrontierEntry newest = verified.State.Frontier[^1];
        ulong size = verified.State.Head.TreeSize;
        AuditorTreeHead? auditor = response.FullTreeHead.AuditorTreeHead;
        // KT §13.1: a step carries a commitment for each probed version that exists, except the target version,
        // whose commitment is computed from the opening and the value.
        int present = response.BinaryLadder.Count(s => s.Commitment is not null) + 1;
        var steps = new List<SearchStep>
        {
            new("Configuration", $"the log's configuration is the one this device pinned ({ConfigurationFingerprint[..16]}…), in {Configuration.Mode} mode"),
            new("Tree head (KT §11.2, §11.4)", $"{size} entries, the newest at {Time(newest.Timestamp)}; the log's signature over the root verifies, and the head is within the configured time limits of this device's clock"),
        };
        if (auditor is not null)
        {
            steps.Add(new SearchStep("Auditor head (KT §11.3)", $"the auditor signed {auditor.TreeSize} entries at {Time(auditor.Timestamp)}, {(newest.Timestamp - Math.Min(newest.Timestamp, auditor.Timestamp)) / 1000} s behind the newest entry: its signature verifies, and the lag is within the configured maximum"));
        }

        steps.Add(new SearchStep("Search keys (KT §11.7, RFC 9381)", $"{response.BinaryLadder.Count} VRF proofs for {handle}, one per version the binary ladder probed, each verified with the log's VRF key"));
        steps.Add(new SearchStep("Binary ladder (KT §5, §6.2)", $"{present} of the {response.BinaryLadder.Count} probed versions are in the log, the greatest of them {verified.Version} (its commitment comes from the opening), and the others are not"));
        steps.Add(new SearchStep("Implicit binary search (KT §4.1, §6.3)", $"{response.Search.Timestamps.Count} log entries visited by their timestamps, {response.Search.PrefixProofs.Count} prefix-tree proofs; the search ends at entry {verified.TerminalPosition}"));
        steps.Add(new SearchStep("Log tree (KT §3.2, §12.1)", $"an inclusion proof of {response.Search.Inclusion.Elements.Count} hashes binds those entries to the signed root"));
        steps.Add(new SearchStep("Commitment (KT §11.6)", $"the opening turns the value into the commitment the prefix tree holds for version {verified.Version}"));
        steps.Add(new SearchStep("Record (docs/ckv-protocol.md §2.5)", $"version {record.Version} of {handle}, counter {record.Counter}, CKV {record.State}: the account key's signature verifies, the key chain of {record.Chain.Count} link(s) ends at it, and each of its {record.Devices.Count} device(s) proves possession"));
        steps.Add(new SearchStep("Public verification code", PublicCode.Format(PublicCode.Derive(record.AccountKey))));
        return new SearchExplanation(size, newest.Timestamp, auditor, verified.Version, record, steps);
    }

    private static string Time(ulong ms) => DateTimeOffset.FromUnixTimeMilliseconds((long)ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture);
}
