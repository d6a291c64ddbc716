using System.Text;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Http;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Verification;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;
using OpenCkv.Protocol;

namespace OpenCkv.Client;

/// <summary>The outcome of one automatic verification of a handle.</summary>
/// <param name="Label">The handle's label.</param>
/// <param name="Pin">What the device holds about the handle now (null: never proven).</param>
/// <param name="Findings">What this check found (each also persisted as an alert).</param>
/// <param name="Reachable">False when the log could not be asked and the last verified state was kept (within the grace period).</param>
public sealed record HandleCheck(string Label, ContactPin? Pin, IReadOnlyList<Finding> Findings, bool Reachable)
{
    /// <summary>True when the handle's latest record passed every check now: its devices may receive messages.</summary>
    public bool Usable => Pin is { LastCheckPassed: true } && Findings.All(f => !f.IsWarning) && Reachable;
}

public sealed partial class CkvDevice
{
    /// <summary>
    /// Automatic verification of a handle (DESIGN §5): a greatest-version search verified in full against the
    /// pinned configuration and the retained log state (KT §13.1), then the whole-record checks and the comparison
    /// with what was pinned (<see cref="RecordJudge"/>). The retained state, the pin, the monitoring map and the
    /// alerts are written together, and only from a response that verified; a failing response changes nothing
    /// but the alerts and the "latest check failed" mark.
    /// </summary>
    public async Task<HandleCheck> CheckHandleAsync(string label, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(label);
        ContactPin? pin = _db.Pin(label);
        ClientState? state = _db.KtState();
        var request = new SearchRequest(state?.TreeSize, Encoding.UTF8.GetBytes(label), null);
        byte[] answer;
        try
        {
            answer = await _api.KtAsync("search", TlsCodec.Encode(request), Credentials, cancellation).ConfigureAwait(false);
        }
        catch (DirectoryApiException e) when (e.Status is System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone)
        {
            // "No record" is never a legitimate answer (DESIGN §4): every handle has one from registration on.
            return Failed(label, pin, new Finding(AlertCode.Unavailable, $"the log proves no record for {label}: {e.Detail ?? e.Problem}"));
        }
        catch (DirectoryApiException e) when (e.Problem == DirectoryClient.OutsideWindow)
        {
            // The server refuses this device's signatures as too far from its clock, twice: tell the person (DESIGN §5
            // notification); nothing was proven, so the grace period applies.
            _db.Raise(NowMs, AlertCode.ClockSkew, null, $"the server refuses this device's requests as outside its time window ({e.Detail}); check the device's date and time");
            return Unreachable(label, pin, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or DirectoryApiException)
        {
            // Unreachable, overloaded, or refusing this device (a clock off by minutes, a lost session): the log
            // proved nothing either way, so the grace period applies — and a server that keeps refusing runs it out.
            return Unreachable(label, pin, e.Message);
        }

        VerifiedSearch verified;
        try
        {
            SearchResponse response = KtMessages.DecodeSearch(answer, versionRequested: false, Configuration.Mode);
            verified = SearchVerifier.VerifyGreatestVersion(_suite, Configuration, state, request, response, NowMs);
        }
        catch (Exception e) when (e is KtFormatException or KtVerificationException)
        {
            if (e is KtVerificationException { Failure: VerificationFailure.TreeHeadNotFresh })
            {
                // A head outside max_behind / max_ahead of this device's clock: a stale or future head from the log,
                // or this device's clock is off. The warning stands either way; the notification says what to check.
                _db.Raise(NowMs, AlertCode.ClockSkew, null, $"the log's newest entry is outside its time limits as this device's clock reads them ({e.Message}); check the device's date and time");
            }

            return Failed(label, pin, new Finding(AlertCode.ProofFailed, $"the search answer for {label} did not verify: {e.Message}"));
        }

        bool hasSavedCode = _db.Contacts().Any(c => c.Label == label && c.SavedCode is not null);
        Judgement judgement = RecordJudge.Judge(label, verified.Version, verified.Value.Value, pin, hasSavedCode, NowMs);
        ContactPin? kept = judgement.NewPin is null ? pin : judgement.NewPin with
        {
            Monitored = !verified.MustMonitor ? pin?.Monitored : pin?.Monitored?.With(verified) ?? MonitoredLabel.After(request.Label, verified),
        };

        _db.InTransaction(() =>
        {
            _db.SetKtState(verified.State);
            if (judgement.NewPin is not null)
            {
                _db.SetPin(kept!);
            }
            else if (pin is not null)
            {
                _db.MarkCheckFailed(label);
            }

            foreach (Finding finding in judgement.Findings)
            {
                _db.Raise(NowMs, finding.Code, label, finding.Detail);
            }
        });

        return new HandleCheck(label, judgement.NewPin is null ? _db.Pin(label) : kept, judgement.Findings, Reachable: true);
    }

    /// <summary>
    /// Contact monitoring (KT §8.2, §13.2) of every looked-up version still to be monitored: each response is
    /// verified against the retained state before the state and the map are replaced. A response that fails is a
    /// <c>proof-failed</c> warning about that handle.
    /// </summary>
    public async Task<IReadOnlyList<HandleCheck>> MonitorContactsAsync(CancellationToken cancellation = default)
    {
        var results = new List<HandleCheck>();
        foreach (string label in _db.MonitoredLabels())
        {
            ContactPin pin = _db.Pin(label)!;
            MonitoredLabel monitored = pin.Monitored!;
            ClientState? state = _db.KtState();
            byte[] answer;
            try
            {
                answer = await _api.KtAsync("monitor", TlsCodec.Encode(monitored.Request(state?.TreeSize)), Credentials, cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or DirectoryApiException)
            {
                results.Add(Unreachable(label, pin, e.Message));
                continue;
            }

            try
            {
                HeadAndProofResponse response = KtMessages.DecodeHeadAndProof(answer, Configuration.Mode);
                VerifiedContactMonitor verified = ContactMonitorVerifier.Verify(_suite, Configuration, state, monitored, response, NowMs);
                _db.InTransaction(() =>
                {
                    _db.SetKtState(verified.State);
                    _db.SetPin(pin with { Monitored = verified.Label });
                });
                results.Add(new HandleCheck(label, pin, [], Reachable: true));
            }
            catch (Exception e) when (e is KtFormatException or KtVerificationException)
            {
                results.Add(Failed(label, pin, new Finding(AlertCode.ProofFailed, $"monitoring {label} did not verify: {e.Message}")));
            }
        }

        return results;
    }

    private HandleCheck Failed(string label, ContactPin? pin, Finding finding)
    {
        _db.InTransaction(() =>
        {
            if (pin is not null)
            {
                _db.MarkCheckFailed(label);
            }

            _db.Raise(NowMs, finding.Code, label, finding.Detail);
        });
        return new HandleCheck(label, _db.Pin(label), [finding], Reachable: true);
    }

    private HandleCheck Unreachable(string label, ContactPin? pin, string why)
    {
        // Within the grace period the last verified state stands (DESIGN §5); past it, or for a handle never
        // proven, the contact is unavailable and nothing is encrypted to it.
        if (pin is not null && NowMs - pin.VerifiedMs < (ulong)Options.GracePeriod.TotalMilliseconds)
        {
            return new HandleCheck(label, pin, [], Reachable: false);
        }

        return Failed(label, pin, new Finding(AlertCode.Unavailable, $"the log could not be asked about {label}: {why}"));
    }
}
