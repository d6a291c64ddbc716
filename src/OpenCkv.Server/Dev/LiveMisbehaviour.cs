using System.Collections.Concurrent;
using System.Text;

namespace OpenCkv.Server.Dev;

/// <summary>
/// The malicious-server scenarios that last until <c>{"scenario": "honest"}</c> (development servers only): which
/// labels get their search answers corrupted, and which devices lose their next message. Thread-safe; the hot paths
/// it sits on ask one dictionary each.
/// </summary>
internal sealed class LiveMisbehaviour
{
    private readonly ConcurrentDictionary<string, bool> _flippedSearches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _droppedMessages = new(StringComparer.Ordinal);

    /// <summary><c>flip-proof</c>: every search answer for <paramref name="label"/> gets one byte flipped.</summary>
    public void FlipSearches(string label) => _flippedSearches[label] = true;

    /// <summary><c>drop-message</c>: the next message queued for each of <paramref name="devices"/> is dropped.</summary>
    public void DropNextMessage(IEnumerable<byte[]> devices)
    {
        foreach (byte[] device in devices)
        {
            _droppedMessages[Convert.ToHexStringLower(device)] = true;
        }
    }

    /// <summary><c>honest</c>: every lasting scenario stops.</summary>
    public void Stop()
    {
        _flippedSearches.Clear();
        _droppedMessages.Clear();
    }

    /// <summary>The search answer as this server sends it: one byte flipped in the middle when the label is targeted.</summary>
    public byte[] Search(byte[] label, byte[] answer)
    {
        if (_flippedSearches.IsEmpty || !_flippedSearches.ContainsKey(Encoding.UTF8.GetString(label)) || answer.Length == 0)
        {
            return answer;
        }

        byte[] flipped = [.. answer];
        flipped[flipped.Length / 2] ^= 0x01;
        return flipped;
    }

    /// <summary>The messages this server actually queues: each targeted device's next one is left out.</summary>
    public IReadOnlyList<(byte[] RecipientDevice, byte[] Body)> Deliver(IReadOnlyList<(byte[] RecipientDevice, byte[] Body)> messages) =>
        _droppedMessages.IsEmpty ? messages : messages.Where(m => !_droppedMessages.TryRemove(Convert.ToHexStringLower(m.RecipientDevice), out _)).ToArray();
}
