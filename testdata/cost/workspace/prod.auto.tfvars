web_count = 2
