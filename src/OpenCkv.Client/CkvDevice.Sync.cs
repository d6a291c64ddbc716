using System.Security.Cryptography;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Http;
using OpenCkv.Client.Verification;

namespace OpenCkv.Client;

/// <summary>What a sync pass did.</summary>
/// <param name="HandlesChecked">Own and contact handles verified.</param>
/// <param name="Findings">Everything found (each persisted as an alert).</param>
/// <param name="MessagesReceived">Messages accepted from the mailbox.</param>
public sealed record SyncReport(int HandlesChecked, IReadOnlyList<Finding> Findings, int MessagesReceived);

public sealed partial class CkvDevice
{
    /// <summary>
    /// One background pass (`ckv sync`, `ckv monitor`): the log's configuration against the pin, the account's own
    /// handles (self-monitoring: the newest record, then owner monitoring of KT §8.3), the keychain (blobs in, and this device's changes out), every contact's handle (automatic verification), contact monitoring of the versions
    /// looked up, and — unless <paramref name="fetchMail"/> is false — the mailbox.
    /// </summary>
    public async Task<SyncReport> SyncAsync(bool fetchMail = true, CancellationToken cancellation = default)
    {
        var findings = new List<Finding>();
        try
        {
            byte[] served = await _api.ConfigurationAsync(cancellation).ConfigureAwait(false);
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(served), Convert.FromHexString(ConfigurationFingerprint)))
            {
                var finding = new Finding(AlertCode.ConfigurationChanged, $"the server presents log configuration {Convert.ToHexStringLower(SHA256.HashData(served))}, not the pinned {ConfigurationFingerprint}");
                _db.Raise(NowMs, finding.Code, null, finding.Detail);
                findings.Add(finding);
            }
        }
        catch (Exception e) when (e is HttpRequestException or DirectoryApiException or TaskCanceledException)
        {
            // Unreachable: the checks below apply the grace period.
        }

        findings.AddRange(await CheckOwnRecordsAsync(cancellation).ConfigureAwait(false));
        findings.AddRange(await MonitorOwnHandlesAsync(cancellation).ConfigureAwait(false));
        await ReceiveKeychainAsync(verified: null, cancellation).ConfigureAwait(false);
        if (KeychainChanged)
        {
            await PushKeychainAsync(cancellation).ConfigureAwait(false);
        }

        int checkedHandles = _db.OwnRecords().Count;
        foreach (string label in _db.Contacts().Select(c => c.Label).Distinct(StringComparer.Ordinal))
        {
            findings.AddRange((await CheckHandleAsync(label, cancellation).ConfigureAwait(false)).Findings);
            checkedHandles++;
        }

        foreach (HandleCheck monitored in await MonitorContactsAsync(cancellation).ConfigureAwait(false))
        {
            findings.AddRange(monitored.Findings);
        }

        int received = 0;
        if (fetchMail)
        {
            received = (await ReceiveAsync(cancellation).ConfigureAwait(false)).Accepted.Count;
        }

        return new SyncReport(checkedHandles, findings, received);
    }
}
