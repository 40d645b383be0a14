"""Text, date, organisation and place normalizers shared by the pipeline stages."""
