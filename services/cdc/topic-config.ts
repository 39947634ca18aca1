// The settings of the table topics the publisher creates, apart from the publisher itself so
// that the node's configuration can name them without loading the Kafka client.
export const topicCleanupPolicies = ['compact', 'delete', 'compact,delete'] as const;
export type TopicCleanupPolicy = (typeof topicCleanupPolicies)[number];

export function isTopicCleanupPolicy(text: string): text is TopicCleanupPolicy {
  return (topicCleanupPolicies as readonly string[]).includes(text);
}
