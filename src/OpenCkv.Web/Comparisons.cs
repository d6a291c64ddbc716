using System.Collections.Concurrent;
using OpenCkv.Client;

namespace OpenCkv.Web;

/// <summary>Where a "Verify Contact" screen is.</summary>
public enum ComparisonStage
{
    /// <summary>Waiting for the other person to open Verify Contact too; no code yet.</summary>
    Waiting,

    /// <summary>Both are in: the code shows, and the person answers whether the other screen shows the same.</summary>
    ShowingCode,

    /// <summary>Marked as verified: the contact's code is saved in the card.</summary>
    Verified,

    /// <summary>The person said the codes differ: the warning stands.</summary>
    NotMarked,

    /// <summary>It stopped: the other side never came, the keys were not the verified ones, or the server failed.</summary>
    Failed,
}

/// <summary>One "Verify Contact" screen: the SDK's comparison running in the background while the page polls it.</summary>
public sealed class Comparison
{
    private readonly TaskCompletionSource<bool> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Where the comparison is.</summary>
    public ComparisonStage Stage { get; private set; } = ComparisonStage.Waiting;

    /// <summary>The code both screens show, once both are in.</summary>
    public string? Code { get; private set; }

    /// <summary>Why it stopped, when it failed.</summary>
    public string? Problem { get; private set; }

    /// <summary>Whether it still runs.</summary>
    public bool Running => Stage is ComparisonStage.Waiting or ComparisonStage.ShowingCode;

    /// <summary>The person's answer: the other screen shows the same code, or not.</summary>
    public bool Answer(bool same) => Stage == ComparisonStage.ShowingCode && _answer.TrySetResult(same);

    internal async Task<bool> ShowAsync(string code, CancellationToken cancellation)
    {
        Code = code;
        Stage = ComparisonStage.ShowingCode;
        return await _answer.Task.WaitAsync(cancellation).ConfigureAwait(false);
    }

    internal void Finish(ComparisonStage stage, string? problem = null)
    {
        Problem = problem;
        Stage = stage;
    }
}

/// <summary>
/// The comparisons the app's tabs have open, one per profile and contact. Each holds its device for as long as it
/// runs (a device compares with one person at a time); a code nobody answers is dropped after ten minutes.
/// </summary>
public sealed class Comparisons(ProfileDevices devices, WebOptions options)
{
    private static readonly TimeSpan AnswerLimit = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(string Profile, string Contact), Comparison> _open = new();

    /// <summary>The comparison of <paramref name="profile"/> with <paramref name="contact"/>, if one was opened.</summary>
    public Comparison? Find(string profile, string contact) => _open.TryGetValue((profile, contact), out Comparison? found) ? found : null;

    /// <summary>Opens Verify Contact, or returns the one still running.</summary>
    public Comparison Open(string profile, string contact)
    {
        var fresh = new Comparison();
        Comparison current = _open.AddOrUpdate((profile, contact), fresh, (_, before) => before.Running ? before : fresh);
        if (ReferenceEquals(current, fresh))
        {
            _ = RunAsync(profile, contact, fresh);
        }

        return current;
    }

    private async Task RunAsync(string profile, string contact, Comparison comparison)
    {
        using var limit = new CancellationTokenSource(options.ComparisonTimeout + AnswerLimit);
        try
        {
            ComparisonResult result = await devices.UseAsync(
                profile, device => device.CompareAndAskAsync(contact, code => comparison.ShowAsync(code, limit.Token), options.ComparisonTimeout, limit.Token), limit.Token).ConfigureAwait(false);
            comparison.Finish(result.MarkedVerified ? ComparisonStage.Verified : ComparisonStage.NotMarked);
        }
        catch (OperationCanceledException)
        {
            comparison.Finish(ComparisonStage.Failed, "Nobody answered whether the codes match; nothing was marked.");
        }
        catch (Exception e) when (e is ProfileNotFoundException || Pages.DevicePage.IsRefusal(e))
        {
            comparison.Finish(ComparisonStage.Failed, e.Message);
        }
    }
}
