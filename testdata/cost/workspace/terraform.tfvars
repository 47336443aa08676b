web_type = "m5.large"
