# Variables operators tune. `npm start` reads the defaults of the Pub/Sub delivery
# variables below for its local subscriptions, so what runs on a laptop is what is set here.

variable "max_delivery_attempts" {
  description = "Pub/Sub dead-letter policy: deliveries of one message before Pub/Sub forwards it to the dead-letter topic. A backstop above notifier_max_attempts."
  type        = number
  default     = 10
  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be between 5 and 100 (Pub/Sub's range)."
  }
}

variable "notifier_max_attempts" {
  description = "The notifier's own attempt budget (MAX_ATTEMPTS): after this many transient failures it dead-letters the notification as ATTEMPTS_EXHAUSTED, with the reason. Must stay below max_delivery_attempts so the notifier, not Pub/Sub, records why."
  type        = number
  default     = 5
  validation {
    condition     = var.notifier_max_attempts >= 1 && var.notifier_max_attempts < var.max_delivery_attempts
    error_message = "notifier_max_attempts must be at least 1 and below max_delivery_attempts."
  }
}

variable "minimum_backoff_seconds" {
  description = "Pub/Sub retry policy: the shortest wait before redelivering a nacked message."
  type        = number
  default     = 10
  validation {
    condition     = var.minimum_backoff_seconds >= 0 && var.minimum_backoff_seconds <= 600
    error_message = "minimum_backoff_seconds must be between 0 and 600."
  }
}

variable "maximum_backoff_seconds" {
  description = "Pub/Sub retry policy: the longest wait before redelivering a nacked message."
  type        = number
  default     = 600
  validation {
    condition     = var.maximum_backoff_seconds >= 0 && var.maximum_backoff_seconds <= 600 && var.maximum_backoff_seconds >= var.minimum_backoff_seconds
    error_message = "maximum_backoff_seconds must be between 0 and 600 and not below minimum_backoff_seconds."
  }
}

variable "ack_deadline_seconds" {
  description = "Push subscription ack deadline, which is also the push request timeout. Must exceed the notifier's delivery budget (SEND_TIMEOUT_MS + LOCK_WAIT_SECONDS + MYSQL_TIMEOUT_MS + PUBLISH_TIMEOUT_MS), or Pub/Sub redelivers while a delivery is still running."
  type        = number
  default     = 60
  validation {
    condition     = var.ack_deadline_seconds >= 10 && var.ack_deadline_seconds <= 600
    error_message = "ack_deadline_seconds must be between 10 and 600."
  }
}

variable "schema_encoding" {
  description = "Encoding of the notifications topic's protobuf schema; producers' clients must use the same."
  type        = string
  default     = "JSON"
  validation {
    condition     = contains(["JSON", "BINARY"], var.schema_encoding)
    error_message = "schema_encoding must be JSON or BINARY."
  }
}
